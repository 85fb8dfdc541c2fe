/**
 * @module cluster
 * Several processes per service and several gateways, each started with the
 * distributex command line on a real broker and PostgreSQL, as `distributex
 * cluster` runs them, but each one a handle a test can kill (SIGKILL) and
 * start again on its port. Shared by the chat cluster tests and the chaos suite.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitFor } from '@distributex/testkit'

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)))
const bin = join(repoRoot, 'packages/cli/bin/distributex.js')
const lifeline = new URL('./lifeline.js', import.meta.url).href
/** Output kept per process for error messages: the tail is what explains a crash. */
const OUTPUT_KEPT = 20_000

/** One process of the cluster. */
export interface ClusterProcess {
  label: string
  port: number
  url: string
  /** Starts the process and waits until it answers. */
  start(): Promise<void>
  /** SIGKILLs the process and waits for it to exit. */
  kill(): Promise<void>
  /** SIGTERMs the process (a graceful stop, as an orchestrator's restart) and waits for it to exit. */
  stop(): Promise<void>
  /** True while the process runs. */
  running(): boolean
  /** The tail of what it printed. */
  output(): string
}

/** A service run as several processes: the module to start and one port per process. */
export interface ClusterService {
  module: string
  title: string
  ports: number[]
}

export interface ClusterOptions {
  busUrl: string
  databaseUrl: string
  services: Record<string, ClusterService>
  /** Services the cluster does not start (already listening at `url`). */
  external?: Record<string, { url: string; title: string }>
  gatewayPorts: number[]
  pages: { path: string; title: string; widgets: { service: string; widget: string }[] }[]
  gateway?: { widgetTimeoutMs?: number; healthIntervalMs?: number }
  env?: NodeJS.ProcessEnv
  /** Every process's log level (default warn), and how much of its output is kept (default the last 20,000 characters). */
  logLevel?: string
  outputKept?: number
  secret: string
  /** Called at once with the cluster's `close`, before any process starts (for clean-up on interruption). */
  onCreated?: (close: () => Promise<void>) => void
}

export interface Cluster {
  /** The processes of each service started by the cluster, in port order. */
  services: Record<string, ClusterProcess[]>
  gateways: ClusterProcess[]
  /** Stops every process and removes the cluster's folder. */
  close(): Promise<void>
  /** SIGKILLs every process at once, without waiting (for an exit handler). */
  killNow(): void
}

/** The path of a service's built module in this repository, e.g. `services/chat/dist/index.js`. */
export const serviceModule = (name: string): string => join(repoRoot, `services/${name}/dist/index.js`)

function clusterProcess(label: string, args: string[], port: number, ready: string, env: NodeJS.ProcessEnv, cwd: string, children: Set<ChildProcess>, logLevel = 'warn', kept = OUTPUT_KEPT): ClusterProcess {
  let child: ChildProcess | undefined
  let output = ''
  const url = `http://127.0.0.1:${port}`
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-kept)
  }
  const signal = async (name: NodeJS.Signals) => {
    const running = child
    if (!running || running.exitCode !== null || running.signalCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill(name)
    await exited
  }
  return {
    label,
    port,
    url,
    output: () => output,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async start() {
      output = ''
      // stdin stays open as the lifeline (see lifeline.ts).
      const started = spawn(process.execPath, ['--import', lifeline, bin, 'start', ...args, '--port', String(port), '--log-level', logLevel], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
      child = started
      children.add(started)
      started.once('exit', () => children.delete(started))
      started.stdout?.on('data', keep)
      started.stderr?.on('data', keep)
      await waitFor(
        async () => {
          if (started.exitCode !== null) throw new Error(`${label} exited with code ${started.exitCode}`)
          const response = await fetch(`${url}${ready}`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined)
          await response?.arrayBuffer()
          return response?.ok
        },
        { timeoutMs: 90_000, intervalMs: 100, what: `${label} to answer` },
      ).catch((error: Error) => {
        throw new Error(`${error.message}; its output:\n${output}`, { cause: error })
      })
    },
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  }
}

/** Starts every service process, then the gateways once the services answer. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'dx-cluster-'))
  const configFile = join(dir, 'distributex.config.json')
  const services: Record<string, object> = {}
  for (const [name, service] of Object.entries(options.services)) services[name] = { port: service.ports[0], module: service.module, title: service.title }
  for (const [name, service] of Object.entries(options.external ?? {})) services[name] = { url: service.url, title: service.title }
  writeFileSync(configFile, JSON.stringify({ gateway: { port: options.gatewayPorts[0], ...options.gateway }, services, pages: options.pages }))
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, DX_SECRET: options.secret, DX_DATA_DIR: dir, DISTRIBUTEX_BUS: options.busUrl, DATABASE_URL: options.databaseUrl }
  for (const [name, service] of Object.entries(options.services)) {
    env[`DX_SERVICE_${name.toUpperCase().replace(/-/g, '_')}_URL`] = service.ports.map((port) => `http://127.0.0.1:${port}`).join(',')
  }
  const children = new Set<ChildProcess>()
  const started: Record<string, ClusterProcess[]> = {}
  for (const [name, service] of Object.entries(options.services)) {
    started[name] = service.ports.map((port, n) => clusterProcess(`${name}#${n + 1}`, [name, '--config', configFile], port, '/health', env, dir, children, options.logLevel, options.outputKept))
  }
  const gateways = options.gatewayPorts.map((port, n) => clusterProcess(`gateway#${n + 1}`, ['gateway', '--config', configFile], port, '/_dx/health', env, dir, children, options.logLevel, options.outputKept))
  const killNow = () => {
    for (const child of children) child.kill('SIGKILL')
  }
  const all = [...Object.values(started).flat(), ...gateways]
  const close = async () => {
    await Promise.all(all.map((p) => p.kill()))
    rmSync(dir, { recursive: true, force: true })
  }
  options.onCreated?.(close)
  try {
    await Promise.all(Object.values(started).flat().map((p) => p.start()))
    await Promise.all(gateways.map((gateway) => gateway.start()))
  } catch (error) {
    await close()
    throw error
  }
  return { services: started, gateways, close, killNow }
}
