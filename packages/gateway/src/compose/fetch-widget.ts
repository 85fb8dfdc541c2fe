/**
 * @module fetch-widget
 * Fetches one widget's fragment from its service within the widget's time
 * budget. Never throws: every failure becomes an outcome the page can show.
 * The fragment is read as a stream and abandoned past its cap.
 */
import { BodyTooLargeError, HEADERS, type Widget } from '@distributex/protocol'
import { describeFailure, formatMs, type ServiceEntry } from '../registry/service-registry.js'
import { readCapped } from '../routing/read-capped.js'
import { activeTracer, SpanKind, SpanStatusCode, traceparentOf, type Tracer } from '@distributex/telemetry'

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

export async function fetchWidget(options: FetchWidgetOptions): Promise<WidgetOutcome> {
  const started = performance.now()
  const tracer = activeTracer()
  const outcome = tracer ? await fetchTraced(tracer, options) : await fetchOnce(options)
  options.entry.onFragment?.(options.widget, outcome, (performance.now() - started) / 1000)
  return outcome
}

/** A fetch is slow from half its time budget (and never under 250 ms). */
const slowMs = (timeoutMs: number) => Math.max(250, timeoutMs / 2)
/** W3C trace flags: the trace is recorded. */
const SAMPLED = 1

/** One client span per widget fetch; the service continues it from the `traceparent` it is sent. */
async function fetchTraced(tracer: Tracer, options: FetchWidgetOptions): Promise<WidgetOutcome> {
  const span = tracer.startSpan(`widget ${options.entry.name}/${options.widget}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'dx.service': options.entry.name, 'dx.widget': options.widget },
  })
  const traceparent = traceparentOf(span)
  const outcome = await fetchOnce(traceparent ? { ...options, headers: { ...options.headers, traceparent } } : options)
  let problem: string | undefined
  if (outcome.kind === 'unavailable') {
    span.setAttributes({ 'dx.widget.outcome': 'unavailable', 'http.response.status_code': outcome.status })
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${options.entry.name} ${outcome.reason}` })
    // A fetch abandoned because the browser left is nobody's problem.
    if (outcome.status !== 499) problem = outcome.reason
  } else {
    span.setAttribute('dx.widget.outcome', 'ok')
    if (outcome.ms >= slowMs(options.timeoutMs)) problem = `took ${formatMs(outcome.ms)}`
  }
  span.end()
  // The admin page names the trace of a slow or failed fetch, when the trace was kept (sampled).
  if (problem && (span.spanContext().traceFlags & SAMPLED) === SAMPLED) {
    options.entry.noteTracedFetch({ widget: options.widget, traceId: span.spanContext().traceId, problem, at: Date.now() })
  }
  return outcome
}

async function fetchOnce({ entry, widget: name, headers, timeoutMs, signal, search = '' }: FetchWidgetOptions): Promise<WidgetOutcome> {
  // A service known to be down is not waited for: its slot is unavailable at once, and retries by itself.
  if (entry.state === 'down') return { kind: 'unavailable', reason: entry.lastError ?? 'is down', status: 503 }
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
    // The router sends it to another process when one fails (see routing/service-router).
    const response = await entry.router.send({
      path: widget.path + search,
      method: 'GET',
      headers: { ...headers, [HEADERS.fragment]: '1', accept: 'text/html' },
      signal: controller.signal,
    })
    const version = response.headers[HEADERS.serviceVersion]
    entry.noteVersion(typeof version === 'string' ? version : undefined)
    const type = String(response.headers['content-type'] ?? '')
    if (response.statusCode !== 200 || !type.startsWith('text/html')) {
      await response.body.dump()
      return { kind: 'unavailable', reason: `answered with an error (${response.statusCode})`, status: 502 }
    }
    const html = await readCapped(response.body, entry.settings.maxFragmentBytes, `a fragment for widget "${name}"`, response.headers['content-length'])
    const ms = performance.now() - started
    entry.fragmentLatency.record(ms)
    return { kind: 'ok', html, widget, ms }
  } catch (error) {
    if (signal?.aborted) return { kind: 'unavailable', reason: 'was not needed any more', status: 499 }
    const reason = timedOut ? `did not answer within ${formatMs(timeoutMs)}` : describeFailure(error, timeoutMs)
    if (error instanceof BodyTooLargeError) entry.noteRefusedBody(reason)
    // Slow is not down: the widget timeout is the page's budget, not a failure of the process.
    return { kind: 'unavailable', reason, status: timedOut ? 504 : 503 }
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}
