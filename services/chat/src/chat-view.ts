/**
 * @module chat-view
 * The Chat widget's HTML: nickname, rooms with how many people are in each,
 * the open room (members, messages, typing, send form) and private messages.
 * Plain forms work without JavaScript (post, then redirect back); with htmx
 * they update in place. Live stream actions target the ids rendered here.
 */
import { html, type SafeHtml } from '@distributex/ui'
import type { Member, Message, Person, Room } from './chat-store.js'
import { encodeCursor } from './chat-store.js'
import { messageItem } from './message-view.js'

export interface FormProblem {
  /** Which form: nickname, room (create), text (send), private. */
  form: 'nickname' | 'room' | 'text' | 'private'
  message: string
  /** What was typed, given back. */
  value: string
  to?: string
  /** The field the message is about (`to` or `text` in the private form), marked invalid. */
  field?: string
}

export interface OpenRoom {
  room: Room
  messages: Message[]
  hasOlder: boolean
  members: Member[]
  live: SafeHtml
}

export interface ChatViewState {
  me: Person
  rooms: Room[]
  roomsLive: SafeHtml
  open?: OpenRoom | undefined
  inbox: Message[]
  inboxLive: SafeHtml
  problem?: FormProblem | undefined
  notice?: string | undefined
  /** A fresh client id for the send form (the private form derives its own), so a retried post is stored once. */
  clientId: string
}

export const ids = {
  messages: (slug: string) => `chat-messages-${slug}`,
  members: (slug: string) => `chat-members-${slug}`,
  typing: (slug: string) => `chat-typing-${slug}`,
  typist: (slug: string, person: string) => `chat-typing-${slug}-${person}`,
  older: (slug: string) => `chat-older-${slug}`,
  sendForm: (slug: string) => `chat-send-${slug}`,
  room: (slug: string) => `chat-room-${slug}`,
  roomList: 'chat-room-list',
  inbox: 'chat-inbox',
  privateForm: 'chat-private-form',
}

function alert(id: string, problem: FormProblem | undefined, form: FormProblem['form']): SafeHtml {
  return problem?.form === form ? html`<p id="${id}" role="alert" class="mt-2 text-sm text-rose-600">${problem.message}</p>` : html``
}

function invalid(problem: FormProblem | undefined, form: FormProblem['form'], describedBy: string): SafeHtml {
  return problem?.form === form ? html` aria-invalid="true" aria-describedby="${describedBy}"` : html``
}

/** One room in the list, with its member count (morphed live when it changes). */
export function roomItem(room: Room): SafeHtml {
  return html`<li id="${ids.room(room.slug)}" class="chat-room flex items-center justify-between gap-2 rounded-lg px-2 py-1 hover:bg-slate-50">
  <form method="post" action="/chat/rooms/${room.slug}/join" hx-post="/chat/rooms/${room.slug}/join" class="min-w-0 flex-1">
    <button type="submit" class="chat-room-name w-full truncate text-left text-sm text-slate-700 hover:text-indigo-600" title="Join ${room.name}">${room.name}</button>
  </form>
  <span class="chat-room-count rounded-full bg-slate-100 px-2 text-xs text-slate-600" title="people in the room now">${room.members}</span>
</li>`
}

/** The people in a room now (replaced live). */
export function membersList(slug: string, members: readonly Member[]): SafeHtml {
  return html`<ul id="${ids.members(slug)}" class="chat-members flex flex-wrap gap-1" aria-label="People in the room">${members.map(
    (member) => html`<li class="chat-member rounded-full bg-emerald-50 px-2 py-0.5 text-xs text-emerald-800" data-person="${member.id}">${member.nickname}</li>`,
  )}</ul>`
}

/**
 * Scrolling to it loads the page of messages before it (chat.js watches it once
 * the list sits at its newest message, so opening a room never loads an extra
 * page by itself); without JavaScript it is a link.
 */
export function olderSentinel(slug: string, oldest: Message): SafeHtml {
  const cursor = encodeCursor(oldest)
  return html`<li id="${ids.older(slug)}" class="chat-older py-2 text-center text-xs" data-older="/chat/rooms/${slug}/messages?before=${cursor}">
  <a href="/chat/rooms/${slug}?before=${cursor}" class="text-slate-500 underline hover:text-slate-900">Load older messages</a>
</li>`
}

/** A page of older messages, with the next sentinel when there are more. */
export function olderPage(slug: string, messages: readonly Message[], hasOlder: boolean): SafeHtml {
  const oldest = messages[0]
  return html`${hasOlder && oldest ? olderSentinel(slug, oldest) : ''}${messages.map(messageItem)}`
}

/** "Ada is typing…", removed by the page after a few seconds or when Ada's message arrives. */
export function typingItem(slug: string, person: string, nickname: string): SafeHtml {
  return html`<span id="${ids.typist(slug, person)}" data-author="${person}" data-at="${Date.now()}" class="chat-typist">${nickname} is typing…</span>`
}

export function sendForm(slug: string, clientId: string, problem?: FormProblem): SafeHtml {
  const value = problem?.form === 'text' ? problem.value : ''
  return html`<form id="${ids.sendForm(slug)}" method="post" action="/chat/rooms/${slug}/messages" hx-post="/chat/rooms/${slug}/messages" hx-target="this" hx-swap="outerHTML" hx-sync="this:queue all" class="mt-3">
  <input type="hidden" name="clientId" value="${clientId}">
  <div class="flex gap-2">
    <label for="chat-text-${slug}" class="sr-only">Message</label>
    <input id="chat-text-${slug}" name="text" value="${value}" placeholder="Write a message…" class="dx-input chat-input" autocomplete="off" hx-post="/chat/rooms/${slug}/typing" hx-trigger="input changed throttle:2s" hx-swap="none" hx-include="this"${invalid(problem, 'text', 'chat-text-error')}>
    <button type="submit" class="dx-btn-primary">Send</button>
  </div>
  ${alert('chat-text-error', problem, 'text')}
</form>`
}

export function privateForm(clientId: string, problem?: FormProblem, to = ''): SafeHtml {
  const mine = problem?.form === 'private'
  return html`<form id="${ids.privateForm}" method="post" action="/chat/private" hx-post="/chat/private" hx-target="this" hx-swap="outerHTML" hx-sync="this:queue all" class="mt-2 grid gap-2 sm:grid-cols-[8rem_1fr_auto]">
  <input type="hidden" name="clientId" value="${clientId}">
  <label for="chat-private-to" class="sr-only">To (nickname)</label>
  <input id="chat-private-to" name="to" value="${mine ? (problem.to ?? '') : to}" placeholder="To (nickname)" class="dx-input" autocomplete="off"${problem?.field === 'to' ? invalid(problem, 'private', 'chat-private-error') : ''}>
  <label for="chat-private-text" class="sr-only">Private message</label>
  <input id="chat-private-text" name="text" value="${mine ? problem.value : ''}" placeholder="Only the two of you see it" class="dx-input" autocomplete="off"${problem?.field === 'text' ? invalid(problem, 'private', 'chat-private-error') : ''}>
  <button type="submit" class="dx-btn-quiet ring-1 ring-slate-300">Send privately</button>
  ${alert('chat-private-error', problem, 'private')}
</form>`
}

function nicknameForm(me: Person, problem?: FormProblem): SafeHtml {
  const value = problem?.form === 'nickname' ? problem.value : (me.nickname ?? '')
  return html`<form method="post" action="/chat/nickname" hx-post="/chat/nickname" class="chat-nickname flex items-center gap-2">
  <label for="chat-nickname" class="text-sm text-slate-600">Nickname</label>
  <input id="chat-nickname" name="nickname" value="${value}" placeholder="Pick a nickname" class="dx-input w-44" autocomplete="nickname"${invalid(problem, 'nickname', 'chat-nickname-error')}>
  <button type="submit" class="dx-btn-primary">${me.nickname ? 'Change' : 'Start chatting'}</button>
</form>${alert('chat-nickname-error', problem, 'nickname')}`
}

function roomsPanel(state: ChatViewState): SafeHtml {
  const { rooms, roomsLive, problem, me } = state
  return html`<aside class="chat-rooms">
  <h3 class="text-sm font-semibold text-slate-700">Rooms</h3>
  <ul id="${ids.roomList}" class="mt-2 space-y-0.5" aria-label="Rooms"${roomsLive}>${rooms.map(roomItem)}</ul>
  <p class="chat-no-rooms text-sm text-slate-500">No rooms yet.</p>
  ${me.nickname
    ? html`<form method="post" action="/chat/rooms" hx-post="/chat/rooms" class="mt-3 flex gap-2">
    <label for="chat-room-name" class="sr-only">New room name</label>
    <input id="chat-room-name" name="name" value="${problem?.form === 'room' ? problem.value : ''}" placeholder="New room" class="dx-input" autocomplete="off"${invalid(problem, 'room', 'chat-room-error')}>
    <button type="submit" class="dx-btn-quiet ring-1 ring-slate-300">Create</button>
  </form>${alert('chat-room-error', problem, 'room')}`
    : ''}
</aside>`
}

function roomPanel(state: ChatViewState, open: OpenRoom): SafeHtml {
  const { room, messages, hasOlder, members, live } = open
  const oldest = messages[0]
  return html`<section class="chat-room-panel min-w-0" aria-label="Room ${room.name}"${live}>
  <div class="flex flex-wrap items-center justify-between gap-2">
    <h3 class="text-base font-semibold"><span class="text-slate-400">#</span>${room.name}</h3>
    <form method="post" action="/chat/rooms/${room.slug}/leave" hx-post="/chat/rooms/${room.slug}/leave"><button type="submit" class="dx-btn-quiet text-xs">Leave room</button></form>
  </div>
  <div class="mt-2 flex items-center gap-2"><span class="text-xs text-slate-500">Here now:</span>${membersList(room.slug, members)}</div>
  <ol id="${ids.messages(room.slug)}" class="chat-messages mt-3 h-80 overflow-y-auto rounded-lg border border-slate-100 px-3 py-2" aria-label="Messages" aria-live="polite">${hasOlder && oldest ? olderSentinel(room.slug, oldest) : ''}${messages.map(messageItem)}</ol>
  <p id="${ids.typing(room.slug)}" class="chat-typing mt-1 h-4 text-xs text-slate-500" aria-live="polite"></p>
  ${sendForm(room.slug, state.clientId, state.problem)}
</section>`
}

function inboxPanel(state: ChatViewState): SafeHtml {
  return html`<section class="chat-private mt-5 border-t border-slate-100 pt-4" aria-label="Private messages">
  <h3 class="text-sm font-semibold text-slate-700">Private messages</h3>
  <ol id="${ids.inbox}" class="chat-inbox mt-2 max-h-48 overflow-y-auto"${state.inboxLive}>${state.inbox.map(messageItem)}</ol>
  <p class="chat-inbox-empty text-sm text-slate-500">None yet. Send one to a nickname; only the two of you see it.</p>
  ${privateForm(`${state.clientId}-p`, state.problem)}
</section>`
}

/** The whole widget. */
export function chatWidget(state: ChatViewState): SafeHtml {
  const { me, open, notice } = state
  // Only the author sees the controls of their own messages, and not their own "typing…": chat.js builds those
  // rules from data-chat-me (the Content-Security-Policy allows no inline <style>).
  return html`<div id="chat-app" class="dx-card chat-app" data-dx-chat-room="${open?.room.slug ?? ''}" data-chat-me="${me.id}" hx-target="#chat-app" hx-swap="morph">
  <div class="flex flex-wrap items-center justify-between gap-3">
    <h2 class="text-lg font-semibold tracking-tight">Chat</h2>
    ${nicknameForm(me, state.problem)}
  </div>
  ${notice ? html`<p role="status" class="mt-2 text-sm text-amber-700">${notice}</p>` : ''}
  <div class="mt-4 grid gap-4 md:grid-cols-[12rem_1fr]">
    ${roomsPanel(state)}
    ${open
      ? roomPanel(state, open)
      : html`<p class="chat-pick rounded-lg border border-dashed border-slate-300 p-6 text-center text-sm text-slate-500">${me.nickname ? 'Join a room on the left, or create one.' : 'Pick a nickname to join a room and talk.'}</p>`}
  </div>
  ${me.nickname ? inboxPanel(state) : ''}
</div>`
}
