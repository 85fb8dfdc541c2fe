/**
 * @module chat-channels
 * The live channels of the chat. A room's channel is granted to anyone with a
 * nickname; the rooms list to everyone; a person's inbox (their private
 * messages) only to that person, so no one else can subscribe to it.
 */

export const ROOMS_CHANNEL = 'chat:rooms'

export const roomChannel = (slug: string) => `chat:room:${slug}`

export const inboxChannel = (personId: string) => `chat:inbox:${personId}`

/** The room slug of a room channel, or undefined for any other channel. */
export function roomOfChannel(channel: string): string | undefined {
  return channel.startsWith('chat:room:') ? channel.slice('chat:room:'.length) : undefined
}
