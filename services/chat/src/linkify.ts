/**
 * @module linkify
 * Message text as HTML: every character escaped, and http(s) addresses made
 * into links that open elsewhere without handing this page to the site
 * (`noopener noreferrer`) nor vouching for it (`nofollow`).
 */
import { html, type SafeHtml } from '@distributex/ui'

const ADDRESS = /\bhttps?:\/\/[^\s<>"'`]+/gi
/** Punctuation that ends a sentence rather than an address. */
const TRAILING = /[.,;:!?)\]}]+$/

export function linkify(text: string): SafeHtml {
  const parts: SafeHtml[] = []
  let last = 0
  for (const match of text.matchAll(ADDRESS)) {
    const found = match[0].replace(TRAILING, '')
    let url: URL
    try {
      url = new URL(found)
    } catch {
      continue
    }
    const start = match.index
    parts.push(html`${text.slice(last, start)}`)
    parts.push(html`<a href="${url.href}" rel="nofollow noopener noreferrer" target="_blank" class="text-indigo-600 underline break-all hover:text-indigo-500">${found}</a>`)
    last = start + found.length
  }
  parts.push(html`${text.slice(last)}`)
  return html`${parts}`
}
