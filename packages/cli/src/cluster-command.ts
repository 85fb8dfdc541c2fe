/**
 * @module cluster-command
 * `distributex cluster`: every part as several processes on one machine, meeting
 * on a real broker and database, the way they run in production. Gateways get
 * ports 4040, 4041, …; the n-th process of a service its port + 100 × n. Each
 * gateway balances between all processes of each service. The internal parts
 * (e.g. the Ledger) run as one process each on their configured internal
 * address, started first, and every service process is told where they listen,
 * as with `distributex start`. A process that dies is restarted after a pause
 * that grows if it keeps dying.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { SERVICE_PATHS } from '@distributex/protocol'
import { serviceUrl, type GatewayConfig } from '@distributex/gateway'
import { logFormat } from '@distributex/telemetry'
import { RestartBackoff } from './restart-backoff.js'
import { sharedBusUrl } from './shared-bus.js'

export interface ClusterOptions {
  configFile: string
  config: GatewayConfig
  instances: number
  /** The distributex launcher to run for each process. */
  bin: string
  env?: NodeJS.ProcessEnv
}

interface Part {
  label: string
  args: string[]
  kind: 'internal' | 'service' | 'gateway'
  child: ChildProcess | undefined
  backoff: RestartBackoff
}

/** Port of the n-th process (0-based) of a part whose first process uses `base`. */
function portOf(base: number, n: number, isGateway: boolean): number {
  return isGateway ? base + n : base + 100 * n
}

/** How long gateways wait for the services before starting anyway (a slow service is then shown as down until it answers). */
const SERVICES_READY_MS = 20_000

/** Resolves when every URL answers 200, or after `timeoutMs` whatever they answer. */
async function waitForHealth(urls: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const up = async (url: string) => {
    try {
      return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok
    } catch {
      return false
    }
  }
  let waiting = urls
  while (waiting.length > 0 && Date.now() < deadline) {
    const answers = await Promise.all(waiting.map(up))
    waiting = waiting.filter((_, i) => !answers[i])
    if (waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

export async function runCluster({ configFile, config, instances, bin, env = process.env }: ClusterOptions): Promise<void> {
  const busUrl = sharedBusUrl(env.DISTRIBUTEX_BUS)
  if (!env.DATABASE_URL) process.stderr.write('distributex: DATABASE_URL is not set: the processes of each service share its SQLite file in ./data (fine on one machine; use PostgreSQL across machines)\n')

  // Children's output is piped through this process: they print the format this terminal (or DX_LOG_FORMAT) asks for.
  const childEnv: NodeJS.ProcessEnv = { ...env, DX_LOG_FORMAT: logFormat(env) }
  const parts: Part[] = []
  // One process per internal part, on its internal address; `distributex start <service>` announces it to each service.
  for (const name of Object.keys(config.internal)) {
    parts.push({ label: name, kind: 'internal', args: ['start', name, '--config', configFile], child: undefined, backoff: new RestartBackoff() })
  }
  for (const [name, service] of Object.entries(config.services)) {
    // A service of another stack (`command`) is started by `distributex start <name>` as well, which runs its command.
    if (!service.module && !service.command) continue
    const base = service.port ?? Number(new URL(serviceUrl(name, service, env)).port)
    const ports = Array.from({ length: instances }, (_, n) => portOf(base, n, false))
    childEnv[`DX_SERVICE_${name.toUpperCase().replace(/-/g, '_')}_URL`] = ports.map((port) => `http://127.0.0.1:${port}`).join(',')
    ports.forEach((port, n) => parts.push({ label: `${name}#${n + 1}`, kind: 'service', args: ['start', name, '--port', String(port), '--config', configFile], child: undefined, backoff: new RestartBackoff() }))
  }
  for (let n = 0; n < instances; n++) {
    const port = portOf(config.gateway.port, n, true)
    parts.push({ label: `gateway#${n + 1}`, kind: 'gateway', args: ['start', 'gateway', '--port', String(port), '--config', configFile], child: undefined, backoff: new RestartBackoff() })
  }

  let stopping = false
  const launch = (part: Part) => {
    const child = spawn(process.execPath, [bin, ...part.args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    part.child = child
    const prefix = `[${part.label}] `
    const relay = (stream: NodeJS.WritableStream) => (chunk: Buffer) => stream.write(String(chunk).replace(/^(?=.)/gm, prefix))
    child.stdout?.on('data', relay(process.stdout))
    child.stderr?.on('data', relay(process.stderr))
    child.on('exit', (code, signal) => {
      part.child = undefined
      if (stopping) return
      const delay = part.backoff.next()
      process.stderr.write(`${prefix}exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s\n`)
      setTimeout(() => !stopping && launch(part), delay)
    })
  }
  // Ctrl+C is handled from the start, also while the gateways wait for the services.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return
      stopping = true
      const alive = parts.flatMap((part) => (part.child ? [part.child] : []))
      let left = alive.length
      if (left === 0) resolve()
      for (const child of alive) {
        child.once('exit', () => --left === 0 && resolve())
        child.kill('SIGTERM')
      }
      setTimeout(() => {
        for (const child of alive) child.kill('SIGKILL')
        resolve()
      }, 12_000).unref()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  // Internal parts and services first (the services retry the internal parts until they listen),
  // gateways once the services answer: the gateways' first health checks then find them up.
  const of = (kind: Part['kind']) => parts.filter((part) => part.kind === kind)
  for (const part of [...of('internal'), ...of('service')]) launch(part)
  await waitForHealth(of('service').map((part) => `http://127.0.0.1:${part.args[3]}${SERVICE_PATHS.health}`), SERVICES_READY_MS)
  for (const part of of('gateway')) if (!stopping) launch(part)

  const gateways = of('gateway').map((part) => `http://localhost:${part.args[3]}/`)
  const internal = Object.entries(config.internal).map(([name, part]) => `${name} ${part.host}:${part.port}`)
  process.stdout.write(
    `\ndistributex cluster: ${parts.length} processes on ${busUrl.replace(/\/\/[^@/]*@/, '//***@')}\n  gateways: ${gateways.join('  ')}\n${internal.length ? `  internal (not routed): ${internal.join('  ')}\n` : ''}Press Ctrl+C to stop.\n\n`,
  )

  await stopped
}
