/**
 * @module message-view
 * One chat message as HTML: the same markup for everyone in the room, so it
 * can be published once as a stream action. Controls for one's own messages
 * are in every copy and shown only to their author by a per-viewer style rule
 * (see chat-view), while the service checks the author on every change.
 */
import { html, type SafeHtml } from '@distributex/ui'
import type { Message } from './chat-store.js'
import { linkify } from './linkify.js'

const clock = (iso: string) => iso.slice(11, 16)

function time(iso: string): SafeHtml {
  return html`<time datetime="${iso}" class="chat-time text-xs text-slate-400" title="${iso}">${clock(iso)}</time>`
}

/** The element id of a message, the target of live edits and deletes. */
export const messageId = (id: string) => `chat-msg-${id}`

function ownControls(message: Message): SafeHtml {
  return html`<span class="chat-own ml-auto items-center gap-1">
    <details class="chat-edit relative">
      <summary class="cursor-pointer text-xs text-slate-400 hover:text-slate-900">Edit</summary>
      <form method="post" action="/chat/messages/${message.id}" hx-post="/chat/messages/${message.id}" hx-target="#${messageId(message.id)}" hx-swap="outerHTML" class="absolute right-0 z-10 mt-1 flex w-72 gap-2 rounded-lg bg-white p-2 shadow ring-1 ring-slate-200">
        <label class="sr-only" for="chat-edit-${message.id}">Edit your message</label>
        <input id="chat-edit-${message.id}" name="text" value="${message.body}" class="dx-input" autocomplete="off">
        <button type="submit" class="dx-btn-primary">Save</button>
      </form>
    </details>
    <form method="post" action="/chat/messages/${message.id}/delete" hx-post="/chat/messages/${message.id}/delete" hx-target="#${messageId(message.id)}" hx-swap="outerHTML">
      <button type="submit" class="text-xs text-slate-400 hover:text-rose-600" aria-label="Delete your message">Delete</button>
    </form>
  </span>`
}

/** A message, a join/leave line or a shared link, as a list item. */
export function messageItem(message: Message): SafeHtml {
  const id = messageId(message.id)
  if (message.kind === 'line') {
    return html`<li id="${id}" class="chat-line py-1 text-center text-xs text-slate-500"><span class="font-medium">${message.authorName}</span> ${message.body} ${time(message.createdAt)}</li>`
  }
  if (message.kind === 'link') {
    return html`<li id="${id}" class="chat-card my-2 rounded-lg border border-indigo-100 bg-indigo-50/60 p-3 text-sm">
  <div class="flex items-baseline gap-2"><span class="font-semibold">${message.authorName}</span> <span class="text-slate-500">shared a story</span> ${time(message.createdAt)}</div>
  ${message.linkUrl ? html`<a href="${message.linkUrl}" rel="nofollow noopener noreferrer" target="_blank" class="mt-1 block font-medium text-indigo-700 underline break-words hover:text-indigo-500">${message.body}</a>` : html`<p class="mt-1 font-medium">${message.body}</p>`}
</li>`
  }
  return html`<li id="${id}" class="chat-msg group py-1" data-author="${message.authorId}">
  <div class="flex items-baseline gap-2"><span class="chat-author font-semibold text-slate-900">${message.authorName}</span>${message.recipientName ? html` <span class="text-xs text-slate-500">to <span class="font-medium">${message.recipientName}</span></span>` : ''} ${time(message.createdAt)}${message.editedAt ? html` <span class="text-xs text-slate-400">(edited)</span>` : ''}${message.recipientId ? '' : ownControls(message)}</div>
  <p class="chat-text whitespace-pre-wrap break-words text-slate-800">${linkify(message.body)}</p>
</li>`
}
