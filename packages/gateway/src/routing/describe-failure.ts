/**
 * @module describe-failure
 * Words for a person (admin page, unavailable widgets, logs): why a request
 * to a service failed.
 */
import { DxError } from '@distributex/protocol'

/** Why a request to a service failed, e.g. "is not running (connection refused)". */
export function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DxError) return error.message
  const err = error as { name?: string; code?: string; message?: string; cause?: { code?: string } }
  const code = err.code ?? err.cause?.code
  if (err.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return `did not answer within ${formatMs(timeoutMs)}`
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'stopped sending in the middle of an answer'
  if (code === 'ECONNREFUSED') return 'is not running (connection refused)'
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'closed the connection'
  return `failed: ${err.message ?? String(error)}`
}

/** `400 ms`, `1.5 s`: a duration as a person reads it. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} s`
}
