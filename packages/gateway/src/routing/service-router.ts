/**
 * @module service-router
 * Sends a request to one process of a service and routes around the ones
 * that fail, as Envoy and nginx do by default:
 * - round robin over the processes in balancing (see service-process);
 * - a request that could not be sent (connection refused, connect timeout)
 *   is sent to another process, whatever its method: no process saw it;
 * - an idempotent request, or one with an `Idempotency-Key` header, is also
 *   sent again when the connection died mid-request, the answer did not come
 *   in time, or the process answered 503 (draining) — within a retry budget;
 * - every outcome feeds the process's outlier detection.
 * The proxy (`proxy/forward-request.ts`) sends through `send`.
 */
import type { Dispatcher } from 'undici'
import type { ResilienceConfig } from '../config.js'
import { RetryBudget } from './retry-budget.js'
import { replayableBody, type RequestBody } from './replayable-body.js'
import { ServiceProcess } from './service-process.js'
import { requestWhole, type WholeCall, type WholeRequest, type WholeResponse } from './whole-response.js'
import { BodyTooLargeError } from '@distributex/protocol'

export interface RouteRequest {
  path: string
  method: string
  headers?: Record<string, string | string[] | undefined>
  body?: RequestBody
  signal?: AbortSignal
  /** Overrides the configured header timeout (ms). */
  headersTimeout?: number
  /** Overrides the configured body idle timeout (ms; 0: none). */
  bodyTimeout?: number
}

/** Methods that may be sent twice (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])
/** Errors raised before the request left the gateway. */
const NOT_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL'])
/** Errors after which the request may or may not have been handled. */
const MID_REQUEST = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CLOSED', 'EPIPE'])
/** Errors of a response body that are the process's doing. */
const BODY_FAILURES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_BODY_TIMEOUT'])
/** Request bodies up to this size are kept so the request can be sent again. */
const REPLAY_LIMIT = 1024 * 1024

function errorCode(error: unknown): string | undefined {
  const err = error as { code?: string; cause?: { code?: string } }
  return err.code ?? err.cause?.code
}

/** True when the error says the request never reached the process. */
export function wasNotSent(error: unknown): boolean {
  return NOT_SENT.has(errorCode(error) ?? '')
}

function header(headers: RouteRequest['headers'], name: string): string | undefined {
  const value = headers?.[name]
  return typeof value === 'string' ? value : undefined
}

export type Describe = (error: unknown) => string

export class ServiceRouter {
  readonly processes: readonly ServiceProcess[]
  readonly budget: RetryBudget
  /** Requests sent again on another process, by cause (shown on the admin page). */
  readonly retried = { notSent: 0, afterFailure: 0 }
  readonly #settings: ResilienceConfig
  readonly #describe: Describe
  #next = 0

  constructor(urls: readonly string[], settings: ResilienceConfig, describe: Describe) {
    this.#settings = settings
    this.#describe = describe
    this.processes = urls.map((url) => new ServiceProcess(url, settings))
    this.budget = new RetryBudget(settings.retryBudgetPercent)
  }

  /**
   * The next process to use, round robin over those in balancing and not yet tried.
   * With none in balancing left, the untried one due back soonest (a service must not refuse all traffic on a guess).
   */
  pick(tried: ReadonlySet<ServiceProcess> = new Set()): ServiceProcess | undefined {
    const now = Date.now()
    const count = this.processes.length
    for (let i = 0; i < count; i++) {
      const candidate = this.processes[(this.#next + i) % count] as ServiceProcess
      if (tried.has(candidate) || !candidate.available(now)) continue
      this.#next = (this.#next + i + 1) % count
      return candidate
    }
    // None in balancing is left: the untried one due back soonest.
    return this.processes.filter((p) => !tried.has(p)).sort((a, b) => a.ejectedUntil - b.ejectedUntil)[0]
  }

  /** Sends the request, to another process when the first fails in a way that allows it. */
  async send(options: RouteRequest): Promise<Dispatcher.ResponseData> {
    const method = options.method.toUpperCase()
    const body = await replayableBody(options.body, REPLAY_LIMIT, header(options.headers, 'content-length'))
    const { response, process } = await this.#route<Dispatcher.ResponseData>({
      mayRepeat: IDEMPOTENT.has(method) || header(options.headers, 'idempotency-key') !== undefined,
      replayable: () => body.replayable,
      attempt: (process) =>
        process.pool.request({
          path: options.path,
          method: method as Dispatcher.HttpMethod,
          headers: options.headers as Record<string, string>,
          body: body.take() ?? null,
          signal: options.signal,
          headersTimeout: options.headersTimeout ?? this.#settings.headersTimeoutMs,
          bodyTimeout: options.bodyTimeout ?? this.#bodyTimeout(options.headers),
        }),
      // Given up by the caller (the page's widget timeout, a browser gone): not the process's fault.
      notTheProcess: () => options.signal?.aborted === true,
      discard: (response) => response.body.dump().catch(() => undefined),
    })
    // A body cut off by the process (or silent too long) is its failure; one the gateway abandoned is not.
    response.body.once('error', (error: unknown) => {
      if (BODY_FAILURES.has(errorCode(error) ?? '')) process.failed(this.#describe(error))
    })
    return response
  }

  /**
   * A GET whose answer is read whole, up to `request.limit` (a widget's fragment), routed as `send` routes:
   * another process when one cannot be reached, dies mid-answer or answers 503. A body over the limit is the
   * service's mistake, not its process's failure; `cancel` (a time budget spent, a browser gone) neither.
   */
  getWhole(request: Omit<WholeRequest, 'method'>): WholeCall {
    let current: WholeCall | undefined
    let cancelled: Error | undefined
    const response = this.#route<WholeResponse>({
      mayRepeat: true,
      replayable: () => true,
      attempt: (process) => {
        if (cancelled) return Promise.reject(cancelled)
        current = requestWhole(process.pool, { headersTimeout: this.#settings.headersTimeoutMs, bodyTimeout: this.#settings.bodyTimeoutMs, ...request, method: 'GET' })
        return current.response
      },
      notTheProcess: (error) => cancelled !== undefined || error instanceof BodyTooLargeError,
      discard: async () => {},
    }).then(({ response }) => response)
    return {
      response,
      cancel(reason) {
        cancelled ??= reason
        current?.cancel(reason)
      },
    }
  }

  /**
   * The routing both kinds of request share: round robin, and another process when the failure allows it
   * (module comment). `replayable` says whether the request can be sent again at all.
   */
  async #route<T extends { statusCode: number }>(route: {
    mayRepeat: boolean
    replayable: () => boolean
    attempt: (process: ServiceProcess) => Promise<T>
    notTheProcess: (error: unknown) => boolean
    /** Reads and drops an answer that is not passed on (a 503 sent again elsewhere). */
    discard: (response: T) => Promise<unknown>
  }): Promise<{ response: T; process: ServiceProcess }> {
    this.budget.noteRequest()
    const tried = new Set<ServiceProcess>()
    for (;;) {
      const process = this.pick(tried)
      if (!process) throw new Error('no process of the service is left to try')
      tried.add(process)
      // A process out of balancing is still worth a try when every one in balancing was tried: its ejection may
      // be stale (it restarted), and a refused connection costs a millisecond, far less than a 502.
      const another = () => route.replayable() && this.processes.some((p) => !tried.has(p))
      let response: T
      try {
        response = await route.attempt(process)
      } catch (error) {
        if (route.notTheProcess(error)) throw error
        process.failed(this.#describe(error))
        if (wasNotSent(error) && another()) {
          this.retried.notSent++
          continue
        }
        if (route.mayRepeat && MID_REQUEST.has(errorCode(error) ?? '') && another() && this.budget.tryRetry()) {
          this.retried.afterFailure++
          continue
        }
        throw error
      }
      if (response.statusCode >= 500) {
        process.failed(`answered ${response.statusCode}`)
        // 503 is what a process that is shutting down answers: another one can serve.
        if (response.statusCode === 503 && route.mayRepeat && another() && this.budget.tryRetry()) {
          this.retried.afterFailure++
          await route.discard(response)
          continue
        }
      } else {
        process.succeeded()
      }
      return { response, process }
    }
  }

  /** Event streams stay open without sending for long stretches: no idle limit for them. */
  #bodyTimeout(headers: RouteRequest['headers']): number {
    return header(headers, 'accept')?.includes('text/event-stream') ? 0 : this.#settings.bodyTimeoutMs
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((process) => process.pool.close().catch(() => undefined)))
  }
}
