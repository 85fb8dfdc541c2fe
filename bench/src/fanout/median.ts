/** Each figure's median over the rounds of one peer and topology (figures taken separately, as each is read on its own). */
import type { CpuSplit } from './cpu-split.js'
import type { PacedResult, ScenarioResult } from './scenario.js'
import { addTallies, EMPTY_TALLY } from './clients-protocol.js'

export function median(values: Array<number | undefined>): number | undefined {
  const known = values.filter((value): value is number => value !== undefined && Number.isFinite(value)).sort((a, b) => a - b)
  if (known.length === 0) return undefined
  const middle = Math.floor(known.length / 2)
  return known.length % 2 ? known[middle] : ((known[middle - 1] as number) + (known[middle] as number)) / 2
}

function medianCpu(splits: CpuSplit[]): CpuSplit {
  const m = (pick: (c: CpuSplit) => number | undefined) => median(splits.map(pick))
  return {
    wallSeconds: m((c) => c.wallSeconds) ?? 0,
    gatewayUsPerDelivery: m((c) => c.gatewayUsPerDelivery),
    gatewayCores: m((c) => c.gatewayCores),
    publisherUsPerMessage: m((c) => c.publisherUsPerMessage),
    brokerUsPerMessage: m((c) => c.brokerUsPerMessage),
    clientCoresEach: m((c) => c.clientCoresEach),
    machineCores: m((c) => c.machineCores),
  }
}

const stepKey = (p: PacedResult) => `${p.rate}/${p.clients}/${p.windowMs ?? '-'}`

export function medianResult(rounds: ScenarioResult[]): ScenarioResult {
  const [first] = rounds as [ScenarioResult]
  const m = (pick: (r: ScenarioResult) => number | undefined) => median(rounds.map(pick)) ?? Number.NaN
  const idle = rounds.some((r) => r.idle) ? { rss: m((r) => r.idle?.rss), perConnection: m((r) => r.idle?.perConnection), average: m((r) => r.idle?.average) } : undefined
  const steps = new Map<string, PacedResult[]>()
  for (const round of rounds) for (const step of round.paced) steps.set(stepKey(step), [...(steps.get(stepKey(step)) ?? []), step])
  const paced = [...steps.values()].map((same) => {
    const [one] = same as [PacedResult]
    const pm = (pick: (p: PacedResult) => number) => median(same.map(pick)) ?? Number.NaN
    return { ...one, deliveries: same.reduce((sum, p) => sum + p.deliveries, 0), received: same.reduce((sum, p) => sum + p.received, 0), p50: pm((p) => p.p50), p99: pm((p) => p.p99), cpu: medianCpu(same.map((p) => p.cpu)) }
  })
  const failures = rounds.map((r) => r.failure).filter(Boolean)
  const flat = rounds.some((r) => r.publisherFlatOut)
    ? { perSecond: m((r) => r.publisherFlatOut?.perSecond), usPerMessage: m((r) => r.publisherFlatOut?.usPerMessage), brokerUsPerMessage: median(rounds.map((r) => r.publisherFlatOut?.brokerUsPerMessage)) }
    : undefined
  return {
    ...first,
    idle,
    burst: { deliveries: m((r) => r.burst.deliveries), seconds: m((r) => r.burst.seconds), perSecond: m((r) => r.burst.perSecond), steps: m((r) => r.burst.steps), cpu: medianCpu(rounds.map((r) => r.burst.cpu)) },
    ...(flat ? { publisherFlatOut: flat } : {}),
    paced,
    published: rounds.reduce((sum, r) => sum + r.published, 0),
    // Correctness is not a median: every run's problems count.
    sequence: rounds.reduce((sum, r) => addTallies(sum, r.sequence), EMPTY_TALLY),
    ...(failures.length ? { failure: failures.join('; ') } : {}),
  }
}
