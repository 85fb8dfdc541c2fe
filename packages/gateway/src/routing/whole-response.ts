/**
 * @module whole-response
 * One request to one process whose answer is read whole into a buffer, up to
 * a cap: what the gateway does for every widget of every page. It talks to
 * undici's dispatcher directly, with a handler that only collects chunks,
 * instead of `pool.request`, whose answer is a Readable stream read through an
 * async iterator and whose cancelling needs an AbortSignal (an EventTarget
 * per fetch): on a composed page those were a third of the gateway's CPU
 * (bench/README.md, compose). Cancelling (a widget's time budget spent, the
 * browser gone) settles the call at once, even while the request still waits
 * for a free connection.
 */
import type { Dispatcher } from 'undici'
import { BodyTooLargeError } from '@distributex/protocol'

export interface WholeResponse {
  statusCode: number
  /** Lower-case names; a repeated header is an array. */
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

export interface WholeRequest {
  path: string
  method: Dispatcher.HttpMethod
  headers: Record<string, string>
  /** Largest body read; a larger one fails the call with `BodyTooLargeError` naming `what`. */
  limit: number
  /** Completes "sent …" in that error, e.g. `a fragment for widget "list"`. */
  what: string
  /** Whether the body of this answer is wanted; one that is not is read and dropped (empty `body`). */
  keep?: (statusCode: number, headers: WholeResponse['headers']) => boolean
  headersTimeout?: number
  bodyTimeout?: number
}

export interface WholeCall {
  response: Promise<WholeResponse>
  /** Gives up: `response` rejects with `reason` now, and the request is aborted as soon as undici lets it. */
  cancel(reason: Error): void
}

/** Sends `request` on `dispatcher` and collects the answer. */
export function requestWhole(dispatcher: Dispatcher, request: WholeRequest): WholeCall {
  let controller: Dispatcher.DispatchController | undefined
  let cancelled: Error | undefined
  let settle: { resolve(value: WholeResponse): void; reject(error: Error): void } | undefined
  let settled = false
  const response = new Promise<WholeResponse>((resolve, reject) => (settle = { resolve, reject }))
  const finish = (error: Error | undefined, value?: WholeResponse) => {
    if (settled) return
    settled = true
    if (error) settle?.reject(error)
    else settle?.resolve(value as WholeResponse)
  }
  let statusCode = 0
  let headers: WholeResponse['headers'] = {}
  const chunks: Buffer[] = []
  let size = 0
  let kept = true
  const { limit, what, keep, ...options } = request
  dispatcher.dispatch(options, {
    onRequestStart(started) {
      controller = started
      if (cancelled) started.abort(cancelled)
    },
    onResponseStart(current, status, responseHeaders) {
      statusCode = status
      headers = responseHeaders as WholeResponse['headers']
      kept = keep?.(status, headers) ?? true
      const announced = Number(headers['content-length'])
      if (announced > limit && kept) current.abort(new BodyTooLargeError(what, limit))
    },
    onResponseData(current, chunk) {
      size += chunk.length
      if (size <= limit) {
        if (kept) chunks.push(chunk)
        return
      }
      // An unwanted answer is not worth reading on past the cap either: the connection goes instead.
      if (!kept) finish(undefined, { statusCode, headers, body: Buffer.alloc(0) })
      current.abort(kept ? new BodyTooLargeError(what, limit) : new Error('an unwanted answer was dropped'))
    },
    onResponseEnd() {
      const body = !kept || chunks.length === 0 ? Buffer.alloc(0) : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)
      finish(undefined, { statusCode, headers, body })
    },
    onResponseError(_controller, error) {
      finish(error)
    },
  })
  return {
    response,
    cancel(reason) {
      if (settled || cancelled) return
      cancelled = reason
      controller?.abort(reason)
      finish(reason)
    },
  }
}
