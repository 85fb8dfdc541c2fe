/**
 * @module errors
 * What can go wrong talking to Hacker News, as one named error with the cause.
 */

/** Hacker News could not be reached or answered something unusable after every retry. */
export class HackerNewsError extends Error {
  override name = 'HackerNewsError'
  readonly code = 'DX_NEWS_UPSTREAM'
  readonly url: string
  constructor(url: string, message: string, options: { cause?: unknown } = {}) {
    super(`Hacker News at ${url}: ${message}. Check DX_NEWS_HN_URL and the network; cached stories are shown meanwhile.`, options)
    this.url = url
  }
}
