/**
 * @module chat-announce
 * What each stored chat change tells others, written to the outbox in the
 * change's own transaction: stream actions for the pages that show the room,
 * the rooms list or an inbox, and the `chat.message.posted` domain event. So
 * a change is never stored without its updates, nor published without being
 * stored, and a broker outage only delays them.
 */
import type { StreamAction } from '@distributex/sdk'
import type { Outbox } from '@distributex/store'
import { inboxChannel, roomChannel, ROOMS_CHANNEL } from './chat-channels.js'
import { ids, membersList, roomItem } from './chat-view.js'
import { messageId, messageItem } from './message-view.js'
import type { ChatStore, Message, Room } from './chat-store.js'

/** Domain events of the chat, for other services. */
export const CHAT_EVENTS_TOPIC = 'chat.events'

/** Where a message is shown live: its room, or for a private message the inboxes of its two people. */
export function channelsOf(message: Message): string[] {
  return message.recipientId ? [...new Set([message.authorId, message.recipientId])].map(inboxChannel) : [roomChannel(message.room)]
}

/** A new message: appended where it is shown; a room message also ends its author's "is typing" and is an event. */
export function announceMessage(outbox: Outbox, message: Message): void {
  const item = messageItem(message).value
  if (message.recipientId) {
    for (const channel of channelsOf(message)) outbox.live(channel, [{ action: 'append', target: ids.inbox, html: item }])
    return
  }
  const actions: StreamAction[] = [{ action: 'append', target: ids.messages(message.room), html: item }]
  if (message.kind === 'text') actions.push({ action: 'remove', target: ids.typist(message.room, message.authorId) })
  outbox.live(roomChannel(message.room), actions)
  if (message.kind !== 'line') {
    outbox.event(CHAT_EVENTS_TOPIC, 'chat.message.posted', { id: message.id, room: message.room, kind: message.kind, author: message.authorName, text: message.body, createdAt: message.createdAt })
  }
}

/** An edited message, morphed in place; a deleted one, removed. */
export function announceEdit(outbox: Outbox, message: Message, change: 'edited' | 'deleted'): void {
  const action: StreamAction = change === 'edited' ? { action: 'morph', target: messageId(message.id), html: messageItem(message).value } : { action: 'remove', target: messageId(message.id) }
  for (const channel of channelsOf(message)) outbox.live(channel, [action])
}

/** A new room, added to every rooms list. */
export function announceRoom(outbox: Outbox, room: Room): void {
  outbox.live(ROOMS_CHANNEL, [{ action: 'append', target: ids.roomList, html: roomItem(room).value }])
}

/** Someone came or went: the room's member list and its count in every rooms list, as of this transaction. */
export async function announceMembers(chat: ChatStore, outbox: Outbox, slug: string): Promise<void> {
  const [members, room] = [await chat.members(slug), await chat.room(slug)]
  outbox.live(roomChannel(slug), [{ action: 'replace', target: ids.members(slug), html: membersList(slug, members).value }])
  if (room) outbox.live(ROOMS_CHANNEL, [{ action: 'morph', target: ids.room(slug), html: roomItem(room).value }])
}
