/**
 * @module errors
 * Why a check could not run at all (as opposed to a rule failing).
 */
import { DxError } from '@distributex/protocol'

/** The service did not answer: nothing could be checked. */
export class UnreachableError extends DxError {
  override name = 'UnreachableError'
  readonly url: string
  constructor(url: string, reason: string, options: { cause?: unknown } = {}) {
    super('DX_MANIFEST_UNREACHABLE', `cannot reach ${url}: ${reason}. Is the service running, and is this its address (e.g. http://127.0.0.1:4001)?`, { ...options, fields: { url } })
    this.url = url
  }
}
