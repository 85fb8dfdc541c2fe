/**
 * @module fetch-widget
 * Fetches one widget's fragment from its service within the widget's time
 * budget. Never throws: every failure becomes an outcome the page can show.
 */
import { HEADERS, type Widget } from '@distributex/protocol'
import { describeFailure, formatMs, type ServiceEntry } from './service-registry.js'

/** Fragments larger than this are refused: a widget is a part of a page, not a download. */
export const MAX_FRAGMENT_BYTES = 1024 * 1024

export type WidgetOutcome =
  | { kind: 'ok'; html: string; widget: Widget; ms: number }
  | { kind: 'unavailable'; reason: string; status: number }

export interface FetchWidgetOptions {
  entry: ServiceEntry
  widget: string
  headers: Record<string, string>
  timeoutMs: number
  /** Aborted when the browser goes away. */
  signal?: AbortSignal | undefined
  /** Query string of the page, passed on to the widget. */
  search?: string
}

function isConnectFailure(error: unknown): boolean {
  const code = (error as { code?: string }).code
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CONNECT_TIMEOUT'
}

export async function fetchWidget({ entry, widget: name, headers, timeoutMs, signal, search = '' }: FetchWidgetOptions): Promise<WidgetOutcome> {
  const started = performance.now()
  // One controller and one timer per fetch: cheaper on the hot path than AbortSignal.timeout + any.
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, timeoutMs)
  const onAbort = () => controller.abort()
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const manifest = await entry.ensureManifest(controller.signal)
    const widget = manifest.widgets.find((w) => w.name === name)
    if (!widget) return { kind: 'unavailable', reason: `has no widget named "${name}" (it offers: ${manifest.widgets.map((w) => w.name).join(', ') || 'none'})`, status: 502 }
    const request = () =>
      entry.pool.request({
        path: widget.path + search,
        method: 'GET',
        headers: { ...headers, [HEADERS.fragment]: '1', accept: 'text/html' },
        signal: controller.signal,
      })
    // With several processes, one that just died refuses the connection: ask the next one.
    const response = await request().catch((error: unknown) => {
      if (entry.urls.length > 1 && isConnectFailure(error) && !controller.signal.aborted) return request()
      throw error
    })
    const version = response.headers[HEADERS.serviceVersion]
    entry.noteVersion(typeof version === 'string' ? version : undefined)
    const type = String(response.headers['content-type'] ?? '')
    if (response.statusCode !== 200 || !type.startsWith('text/html')) {
      await response.body.dump()
      entry.markDown(`answered ${response.statusCode} ${type || 'without a content type'} for widget "${name}"`)
      return { kind: 'unavailable', reason: `answered with an error (${response.statusCode})`, status: 502 }
    }
    const length = Number(response.headers['content-length'] ?? 0)
    if (length > MAX_FRAGMENT_BYTES) {
      await response.body.dump()
      return { kind: 'unavailable', reason: `sent a fragment larger than ${MAX_FRAGMENT_BYTES} bytes`, status: 502 }
    }
    const html = await response.body.text()
    const ms = performance.now() - started
    entry.fragmentLatency.record(ms)
    entry.markUp()
    return { kind: 'ok', html, widget, ms }
  } catch (error) {
    if (signal?.aborted) return { kind: 'unavailable', reason: 'was not needed any more', status: 499 }
    const reason = timedOut ? `did not answer within ${formatMs(timeoutMs)}` : describeFailure(error, timeoutMs)
    // Slow is not down: the health check decides that. Refused or reset is down now.
    if (!timedOut) entry.noteFailure(reason)
    return { kind: 'unavailable', reason, status: timedOut ? 504 : 503 }
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}
