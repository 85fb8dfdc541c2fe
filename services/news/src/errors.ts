/**
 * @module errors
 * What can go wrong talking to Hacker News, as one named error with the cause
 * (code `DX_NEWS_UPSTREAM`, docs/protocol.md Appendix B).
 */
import { DxError } from '@distributex/protocol'

/** Hacker News could not be reached or answered something unusable after every retry. */
export class HackerNewsError extends DxError<'DX_NEWS_UPSTREAM'> {
  override name = 'HackerNewsError'
  readonly url: string
  /** What went wrong, without the advice around it. */
  readonly reason: string
  /** True for a failure the same request may not meet again (no answer, a 5xx, a 429, a broken-off body). */
  readonly retryable: boolean
  constructor(url: string, reason: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super('DX_NEWS_UPSTREAM', `Hacker News at ${url}: ${reason}. Check DX_NEWS_HN_URL and the network; cached stories are shown meanwhile.`, { cause: options.cause, fields: { url } })
    this.url = url
    this.reason = reason
    this.retryable = options.retryable ?? false
  }
}
