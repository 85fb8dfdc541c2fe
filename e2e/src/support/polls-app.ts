/**
 * @module polls-app
 * The gateway (in this process, on an in-process bus) and the Python Polls
 * service (a child process, as `distributex start` runs it) on free ports,
 * sharing one secret (the shared harness, app.ts). The service publishes its live updates over HTTP to the
 * gateway, like any service without a bus client.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { Gateway } from '@distributex/gateway'
import type { Bus } from '@distributex/bus'
import { waitFor } from '@distributex/testkit'
import { E2E_SECRET, startApp, type Part } from './app.js'

/** The secret the Polls app's parts share, for tests that sign as the gateway would. */
export const POLLS_SECRET = E2E_SECRET
/** How long the service gets to stop after SIGTERM, as a supervisor (Docker, Kubernetes) would give it. */
const STOP_GRACE_MS = 10_000
const script = fileURLToPath(new URL('../../../services/polls/polls.py', import.meta.url))

/** Why the Python tests cannot run here, or false; without python3 in CI that is a failure. */
export function pythonSkip(): string | false {
  if (spawnSync('python3', ['--version']).status === 0) return false
  if (process.env.CI === 'true') throw new Error('python3 is not installed, but CI=true requires the Python service tests: install python3 (3.11 or newer).')
  return 'python3 is not installed; the Python Polls service cannot start'
}

export interface PollsApp {
  gateway: Gateway
  bus: Bus
  /** The Polls service's own address. */
  pollsUrl: string
  /** Everything the service printed, for failure messages. */
  output(): string
  close(): Promise<void>
}

export interface PollsProcess {
  url: string
  output(): string
  stop(): Promise<void>
}

/** Starts the Python Polls service as `distributex start` runs it, and waits until it answers /health. */
export async function startPollsProcess({ port, gatewayUrl, dataDir, secret = E2E_SECRET }: { port: number; gatewayUrl: string; dataDir: string; secret?: string }): Promise<PollsProcess> {
  const child: ChildProcess = spawn('python3', [script], {
    env: { ...process.env, PORT: String(port), DX_SECRET: secret, DX_DATA_DIR: dataDir, DX_GATEWAY_URL: gatewayUrl, DX_STOP_WITH_PARENT: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    // A service that outlives SIGTERM would be killed by its supervisor too: do the same, and say so.
    const late = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null]
    clearTimeout(late)
    if (signal === 'SIGKILL') throw new Error(`the Polls service did not stop within ${STOP_GRACE_MS / 1000} s of SIGTERM (exit ${code}); its output:\n${output}`)
  }
  try {
    // Each check bounded: a connection that hangs must not outlast the deadline below.
    const healthy = () => fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then((response) => response.ok, () => false)
    await waitFor(healthy, { timeoutMs: 10_000, what: 'the Polls service to answer /health' })
  } catch (error) {
    await stop()
    throw new Error(`${(error as Error).message}; its output:\n${output}`)
  }
  return { url, output: () => output, stop }
}

/** Python Polls as a part of a test app: an outside process whose own page follows the gateway's hub across origins. */
export function pollsPart(onStart: (polls: PollsProcess) => void = () => undefined): Part {
  return {
    outside: async ({ port, gatewayUrl, dataDir, secret }) => {
      const polls = await startPollsProcess({ port, gatewayUrl, dataDir, secret })
      onStart(polls)
      return polls
    },
    liveOrigin: true,
  }
}

export async function startPollsApp(): Promise<PollsApp> {
  let output = () => ''
  const app = await startApp({
    services: { polls: pollsPart((polls) => (output = polls.output)) },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'polls', widget: 'poll' }] }],
    gateway: { widgetTimeoutMs: 1500 },
  })
  return { gateway: app.gateway, bus: app.bus, pollsUrl: app.url('polls'), output: () => output(), close: () => app.close() }
}
