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

const count = (text: string, char: string) => text.split(char).length - 1

export function linkify(text: string): SafeHtml {
  const parts: SafeHtml[] = []
  let last = 0
  for (const match of text.matchAll(ADDRESS)) {
    let found = match[0].replace(TRAILING, '')
    // A parenthesis closing one opened in the address is part of it (Wikipedia's ".../Go_(game)").
    while (match[0][found.length] === ')' && count(found, '(') > count(found, ')')) found += ')'
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
