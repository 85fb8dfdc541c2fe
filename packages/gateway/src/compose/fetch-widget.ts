/**
 * @module fetch-widget
 * Fetches one widget's fragment from its service within the widget's time
 * budget. Never throws: every failure becomes an outcome the page can show.
 * The fragment is read whole and abandoned past its cap.
 */
import { BodyTooLargeError, HEADERS, type Widget } from '@distributex/protocol'
import { describeFailure, formatMs, type ServiceEntry } from '../registry/service-registry.js'
import type { FetchGroup } from './fetch-group.js'
import { activeTracer, SpanKind, SpanStatusCode, traceparentOf, type Tracer } from '@distributex/telemetry'

export type WidgetOutcome =
  | { kind: 'ok'; html: string; widget: Widget; ms: number }
  | { kind: 'unavailable'; reason: string; status: number }

export interface FetchWidgetOptions {
  entry: ServiceEntry
  widget: string
  headers: Record<string, string>
  timeoutMs: number
  /** The page's fetches, given up together when the browser goes away. */
  group?: FetchGroup | undefined
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

/** Why a widget fetch was given up before its answer. */
class GivenUp extends Error {
  constructor(readonly why: 'timeout' | 'gone') {
    super(why === 'timeout' ? 'the widget\'s time budget is spent' : 'the page is not wanted any more')
  }
}

/** A fragment is used only from a 200 of HTML; any other answer's body is not kept. */
const isFragment = (status: number, headers: Record<string, string | string[] | undefined>) =>
  status === 200 && String(headers['content-type'] ?? '').startsWith('text/html')

async function fetchOnce({ entry, widget: name, headers, timeoutMs, group, search = '' }: FetchWidgetOptions): Promise<WidgetOutcome> {
  // A service known to be down is not waited for: its slot is unavailable at once, and retries by itself.
  if (entry.state === 'down') return { kind: 'unavailable', reason: entry.lastError ?? 'is down', status: 503 }
  const started = performance.now()
  // One timer per fetch; the page's group cancels it when the browser leaves (no AbortSignal on this path).
  let givenUp: GivenUp | undefined
  let cancel: ((reason: Error) => void) | undefined
  const giveUp = (why: GivenUp['why']) => {
    givenUp ??= new GivenUp(why)
    cancel?.(givenUp)
  }
  const timer = setTimeout(() => giveUp('timeout'), timeoutMs)
  const forget = group?.add(() => giveUp('gone'))
  try {
    let manifest = entry.manifest
    if (!manifest) {
      // Not fetched yet (or changed): rare, so an AbortController is affordable here.
      const controller = new AbortController()
      cancel = (reason) => controller.abort(reason)
      if (givenUp) controller.abort(givenUp)
      manifest = await entry.ensureManifest(controller.signal)
    }
    const widget = manifest.widgets.find((w) => w.name === name)
    if (!widget) return { kind: 'unavailable', reason: `has no widget named "${name}" (it offers: ${manifest.widgets.map((w) => w.name).join(', ') || 'none'})`, status: 502 }
    if (givenUp) throw givenUp
    // The router sends it to another process when one fails (see routing/service-router).
    const call = entry.router.getWhole({
      path: widget.path + search,
      headers: { ...headers, [HEADERS.fragment]: '1', accept: 'text/html' },
      limit: entry.settings.maxFragmentBytes,
      what: `a fragment for widget "${name}"`,
      keep: isFragment,
    })
    cancel = (reason) => call.cancel(reason)
    const response = await call.response
    const version = response.headers[HEADERS.serviceVersion]
    entry.noteVersion(typeof version === 'string' ? version : undefined)
    if (!isFragment(response.statusCode, response.headers)) return { kind: 'unavailable', reason: `answered with an error (${response.statusCode})`, status: 502 }
    const ms = performance.now() - started
    entry.fragmentLatency.record(ms)
    return { kind: 'ok', html: response.body.toString('utf8'), widget, ms }
  } catch (error) {
    if (givenUp?.why === 'gone') return { kind: 'unavailable', reason: 'was not needed any more', status: 499 }
    const timedOut = givenUp?.why === 'timeout'
    const reason = timedOut ? `did not answer within ${formatMs(timeoutMs)}` : describeFailure(error, timeoutMs)
    if (error instanceof BodyTooLargeError) entry.noteRefusedBody(reason)
    // Slow is not down: the widget timeout is the page's budget, not a failure of the process.
    return { kind: 'unavailable', reason, status: timedOut ? 504 : 503 }
  } finally {
    clearTimeout(timer)
    forget?.()
  }
}
