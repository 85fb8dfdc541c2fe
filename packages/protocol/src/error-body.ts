/**
 * @module error-body
 * Errors answered in the shape of docs/protocol.md §8.2, to people (HTML or text)
 * and to programs (JSON). The gateway and the SDK choose between them the same
 * way, so a client that asks for JSON never gets a sentence it has to scrape.
 */

/** The JSON body of an error (§8.2): a short title, what to do, and the request id to quote. */
export interface ErrorBody {
  error: string
  message: string
  requestId?: string
}

/** True when `accept` asks for JSON and not for HTML (§8.2): such a client gets errors as JSON. */
export function prefersJson(accept: string | readonly string[] | undefined): boolean {
  const text = Array.isArray(accept) ? accept.join(',') : (accept ?? '')
  return text.includes('application/json') && !text.includes('text/html')
}

/** The refusal of a state-changing request sent from another site (§7.1), worded the same by the gateway and every SDK service. */
export const CROSS_SITE_REFUSAL = {
  error: 'Refused: posted from another site',
  message: 'This form was posted from another site. Open the page on this site and submit it there.',
} as const satisfies ErrorBody

/** `CROSS_SITE_REFUSAL` as the JSON body or the line of text a client gets, by its `accept` header. */
export function crossSiteRefusal(accept: string | readonly string[] | undefined, requestId?: string): { type: string; body: string } {
  if (prefersJson(accept)) return { type: 'application/json; charset=utf-8', body: JSON.stringify({ ...CROSS_SITE_REFUSAL, ...(requestId ? { requestId } : {}) }) }
  return { type: 'text/plain; charset=utf-8', body: `Refused: ${CROSS_SITE_REFUSAL.message}\n` }
}
