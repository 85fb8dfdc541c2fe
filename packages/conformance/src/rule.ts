/**
 * @module rule
 * A conformance rule: one thing the protocol requires, with a stable id, the
 * section of docs/protocol.md that requires it, and a check against a running service.
 */
import type { ProbeResponse, ServiceProbe } from './service-probe.js'

export type RuleStatus = 'pass' | 'fail' | 'skip'

/** The outcome of one rule: `message` says what was seen and, on failure, what to fix. */
export interface RuleResult {
  id: string
  section: string
  title: string
  status: RuleStatus
  message: string
}

export interface Outcome {
  status: RuleStatus
  message: string
}

export interface Rule {
  /** Stable id, e.g. `fragment.content-type`; tests and CI output refer to it. */
  id: string
  /** Section of docs/protocol.md, e.g. `4.1`. */
  section: string
  title: string
  check(probe: ServiceProbe): Promise<Outcome>
}

/** A rule: `rule('fragment.ok', '4.1', 'every widget answers its fragment', async (probe) => …)`. */
export function rule(id: string, section: string, title: string, check: Rule['check']): Rule {
  return { id, section, title, check }
}

export const pass = (message: string): Outcome => ({ status: 'pass', message })
export const fail = (message: string): Outcome => ({ status: 'fail', message })
export const skip = (message: string): Outcome => ({ status: 'skip', message })

/** Runs a check once per widget and combines the outcomes: the first failure wins; a widget that skips does not stop the others being checked. */
export async function everyWidget(probe: ServiceProbe, check: (widget: { name: string; path: string }) => Promise<Outcome>): Promise<Outcome> {
  const manifest = await probe.manifest()
  if (!manifest) return skip('needs a valid manifest (see manifest.valid)')
  if (manifest.widgets.length === 0) return skip('the manifest declares no widgets')
  const passed: string[] = []
  const skipped: string[] = []
  for (const widget of manifest.widgets) {
    const outcome = await check(widget)
    if (outcome.status === 'fail') return fail(`widget "${widget.name}" (${widget.path}): ${outcome.message}`)
    if (outcome.status === 'skip') skipped.push(`widget "${widget.name}" (${widget.path}): ${outcome.message}`)
    else passed.push(`"${widget.name}": ${outcome.message}`)
  }
  return passed.length ? pass([...passed, ...skipped.map((line) => `skipped ${line}`)].join('; ')) : skip(skipped.join('; '))
}

/** Runs a check on each widget's fragment; a widget whose fragment does not answer 200 is skipped (fragment.ok reports it). */
export function everyFragment(probe: ServiceProbe, check: (response: ProbeResponse, widget: { name: string; path: string }) => Outcome | Promise<Outcome>): Promise<Outcome> {
  return everyWidget(probe, async (widget) => {
    const response = await probe.fragment(widget.path)
    if (response.status !== 200) return skip('needs the fragment (see fragment.ok)')
    return check(response, widget)
  })
}
