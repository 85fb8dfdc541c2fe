/**
 * `npm run bench:publish`: what one publishing process pays per message on the
 * real bus. A service publishes live updates with `context.live.publish`; this
 * runs that call (the SDK's `createLive` over `createBus`) in a process of its
 * own, on Redis and on NATS, and reads that process's CPU time
 * (`process.cpuUsage`, user + system) around each phase:
 *
 * - flat out: `BENCH_PUBLISH_COUNT` messages (20,000) from `BENCH_PUBLISH_CONCURRENCY`
 *   (100) concurrent callers, as requests of a busy service would publish;
 * - steady: `BENCH_PUBLISH_RATE` messages/s (1,000) for `BENCH_PUBLISH_SECONDS` (3 s),
 *   what is due each timer turn (one call per turn at 1,000/s), as a real app publishes.
 *
 * Each phase runs once through `live.publish` and once through `bus.publish`
 * (the bus alone, no SDK). Afterwards every channel is read back: its messages
 * must all be there, each once, in the order they were published (a phase with
 * a message lost, repeated or out of order is reported as failed).
 * Brokers: `REDIS_URL` and `NATS_URL` (defaults on 127.0.0.1); `BENCH_BUSES`
 * picks some of `redis,nats,memory`. `BENCH_PUBLISH_PROFILE=<folder>` writes a
 * CPU profile of each measured phase there (open it in Chrome DevTools).
 */
import { fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Session } from 'node:inspector/promises'
import { createBus, type Bus, type Position } from '@distributex/bus'
import { createLive } from '@distributex/sdk'
import { liveTopic } from '@distributex/protocol'

type Path = 'live.publish' | 'bus.publish'
type Mode = 'flat' | 'steady'

interface Job {
  url: string | undefined
  path: Path
  mode: Mode
  count: number
  concurrency: number
  rate: number
  seconds: number
}

interface Outcome {
  messages: number
  cpuMicros: number
  /** Of which system time (syscalls: socket writes and reads, waking up). */
  systemMicros: number
  wallMs: number
  problems: string[]
}

const CHANNELS = 8
const WARMUP = 2000
const HTML = `<li class="message">${'x'.repeat(120)}</li>`

function setting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, got "${process.env[name]}"`)
  return value
}

/** The publishing process: one phase, measured. */
async function publisher(job: Job): Promise<Outcome> {
  const bus = createBus(job.url)
  const run = randomUUID().slice(0, 8)
  const channels = Array.from({ length: CHANNELS }, (_, index) => `bench:pc-${run}-${index}`)
  const problems: string[] = []
  const live = createLive({ bus, secret: 'x'.repeat(32), service: 'bench', log: { warn: (fields, message) => problems.push(`${message} ${String((fields as { err?: Error }).err?.message ?? '')}`) } })
  const publish = (n: number): Promise<unknown> => {
    const channel = channels[n % CHANNELS] as string
    const actions = [{ action: 'append' as const, target: 'feed', html: `${HTML}<!--${n}-->` }]
    return job.path === 'live.publish'
      ? live.publish(channel, actions)
      : bus.publish(liveTopic(channel), { type: 'live.update', source: 'bench', data: { channel, actions, priority: 'content' } })
  }
  try {
    // Warm-up on topics of their own: connections, scripts and the JIT, not counted.
    const warm = `bench:pc-${run}-warm`
    for (let n = 0; n < WARMUP; n += 100) await Promise.all(Array.from({ length: 100 }, () => live.publish(warm, [{ action: 'append', target: 'feed', html: HTML }])))
    let next = 0
    // The timer loop of the steady phase alone, without publishing: its cost is taken out of the figure.
    let loopMicros = 0
    let loopSystem = 0
    if (job.mode === 'steady') {
      let idle = 0
      const before = process.cpuUsage()
      await steady(job, () => (idle++, Promise.resolve()), () => idle)
      const loop = process.cpuUsage(before)
      loopMicros = loop.user + loop.system
      loopSystem = loop.system
    }
    const profiler = process.env.BENCH_PUBLISH_PROFILE ? await startProfile() : undefined
    const cpu = process.cpuUsage()
    const started = performance.now()
    if (job.mode === 'flat') {
      const caller = async (): Promise<void> => {
        while (next < job.count) await publish(next++)
      }
      await Promise.all(Array.from({ length: job.concurrency }, caller))
    } else {
      await steady(job, () => publish(next++), () => next)
    }
    const wallMs = performance.now() - started
    const used = process.cpuUsage(cpu)
    if (profiler) await profiler(join(process.env.BENCH_PUBLISH_PROFILE as string, `${bus.kind}-${job.path}-${job.mode}.cpuprofile`))
    await verify(bus, channels, next, problems)
    return { messages: next, cpuMicros: used.user + used.system - loopMicros, systemMicros: used.system - loopSystem, wallMs, problems }
  } finally {
    await bus.close()
  }
}

/** A CPU profile of the measured phase only (`BENCH_PUBLISH_PROFILE`: the folder to write it to), for the Chrome DevTools. */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return async (file) => {
    const { profile } = await session.post('Profiler.stop')
    await writeFile(file, JSON.stringify(profile))
    session.disconnect()
  }
}

/** Calls `publish` at `job.rate` per second: a timer turn every millisecond makes the calls due by then (one per turn at 1,000/s). */
async function steady(job: Job, publish: () => Promise<unknown>, made: () => number): Promise<void> {
  const total = job.rate * job.seconds
  const started = performance.now()
  const pending: Promise<unknown>[] = []
  while (made() < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * job.rate) + 1)
    while (made() < due) pending.push(publish())
    await sleep(1)
  }
  await Promise.all(pending)
}

/** Every message of every channel is there once, in the order published. */
async function verify(bus: Bus, channels: string[], published: number, problems: string[]): Promise<void> {
  for (const [index, channel] of channels.entries()) {
    const seen: number[] = []
    let after: Position | undefined
    for (;;) {
      const page = await bus.read<{ actions: Array<{ html?: string }> }>(liveTopic(channel), { ...(after ? { after } : {}), limit: 1000 })
      for (const message of page.messages) seen.push(Number(/<!--(\d+)-->/.exec(message.envelope.data.actions[0]?.html ?? '')?.[1]))
      const last = page.messages.at(-1)
      if (!last) break
      after = last.position
    }
    const expected = Array.from({ length: Math.ceil((published - index) / CHANNELS) }, (_, k) => index + k * CHANNELS)
    if (seen.length !== expected.length || seen.some((n, k) => n !== expected[k])) {
      const firstBad = seen.findIndex((n, k) => n !== expected[k])
      problems.push(`${channel}: ${seen.length} of ${expected.length} messages read back, first difference at #${firstBad} (${seen[firstBad]} instead of ${expected[firstBad]})`)
    }
  }
}

function runInChild(job: Job): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    let outcome: Outcome | undefined
    child.on('message', (message) => (outcome = message as Outcome))
    child.on('error', reject)
    child.on('exit', (code) => (outcome ? resolve(outcome) : reject(new Error(`the publisher exited with ${code} before reporting`))))
  })
}

async function main(): Promise<void> {
  const urls: Record<string, string | undefined> = {
    redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    nats: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    memory: undefined,
  }
  const buses = (process.env.BENCH_BUSES ?? 'redis,nats').split(',').map((name) => name.trim())
  const unknown = buses.filter((name) => !(name in urls))
  if (unknown.length) throw new Error(`BENCH_BUSES: unknown ${unknown.join(', ')}; choose from redis, nats, memory`)
  const base = { count: setting('BENCH_PUBLISH_COUNT', 20_000), concurrency: setting('BENCH_PUBLISH_CONCURRENCY', 100), rate: setting('BENCH_PUBLISH_RATE', 1000), seconds: setting('BENCH_PUBLISH_SECONDS', 3) }
  process.stdout.write(`Publisher CPU per message, one process per row (node ${process.version}); flat out: ${base.count} messages from ${base.concurrency} callers; steady: ${base.rate}/s for ${base.seconds} s\n\n`)
  const header = ['bus', 'path', 'mode', 'messages', 'msg/s', 'CPU µs/msg', 'of which system', 'CPU-bound msg/s', 'check']
  const rows: string[][] = []
  let failed = false
  for (const name of buses) {
    for (const path of ['live.publish', 'bus.publish'] as const) {
      for (const mode of ['flat', 'steady'] as const) {
        const outcome = await runInChild({ url: urls[name], path, mode, ...base })
        const perMessage = outcome.cpuMicros / outcome.messages
        const ok = outcome.problems.length === 0
        failed ||= !ok
        rows.push([name, path, mode, String(outcome.messages), Math.round(outcome.messages / (outcome.wallMs / 1000)).toLocaleString('en'), perMessage.toFixed(1), (outcome.systemMicros / outcome.messages).toFixed(1), Math.round(1e6 / perMessage).toLocaleString('en'), ok ? 'all in order' : 'FAILED'])
        for (const problem of outcome.problems.slice(0, 5)) process.stderr.write(`  ${name} ${path} ${mode}: ${problem}\n`)
      }
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  for (const row of [header, ...rows]) process.stdout.write(`${row.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  ')}\n`)
  process.stdout.write('\nCPU µs/msg: user + system time of the publishing process over the phase, per message (steady: less what the same timer loop costs without publishing). CPU-bound msg/s: what one core would publish at that cost.\n')
  if (failed) process.exitCode = 1
}

if (process.argv[2] === '--child') {
  publisher(JSON.parse(process.argv[3] ?? '{}') as Job).then(
    (outcome) => process.send?.(outcome, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`publisher failed: ${(error as Error).stack ?? String(error)}\n`)
      process.exit(1)
    },
  )
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`bench:publish failed: ${(error as Error).stack ?? String(error)}\n`)
    process.exit(1)
  })
}
