/**
 * @module polls-app
 * The gateway (in this process, on an in-process bus) and the Python Polls
 * service (a child process, as `distributex start` runs it) on free ports,
 * sharing one secret. The service publishes its live updates over HTTP to the
 * gateway, like any service without a bus client.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { createBus, type Bus } from '@distributex/bus'
import { freePort, waitFor } from '@distributex/testkit'

export const POLLS_SECRET = 'p'.repeat(48)
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
export async function startPollsProcess({ port, gatewayUrl, dataDir, secret = POLLS_SECRET }: { port: number; gatewayUrl: string; dataDir: string; secret?: string }): Promise<PollsProcess> {
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
    await exited
  }
  try {
    const healthy = () => fetch(`${url}/health`).then((response) => response.ok, () => false)
    await waitFor(healthy, { timeoutMs: 10_000, what: 'the Polls service to answer /health' })
  } catch (error) {
    await stop()
    throw new Error(`${(error as Error).message}; its output:\n${output}`)
  }
  return { url, output: () => output, stop }
}

export async function startPollsApp(): Promise<PollsApp> {
  const [gatewayPort, pollsPort] = [await freePort(), await freePort()]
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-polls-'))
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`
  const polls = await startPollsProcess({ port: pollsPort, gatewayUrl, dataDir })
  const pollsUrl = polls.url
  const bus = createBus(undefined)
  const config = parseGatewayConfig({
    gateway: { port: gatewayPort, widgetTimeoutMs: 1500, healthIntervalMs: 500 },
    services: { polls: { url: pollsUrl } },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'polls', widget: 'poll' }] }],
  })
  // The Polls page on its own URL follows its channel on this gateway's hub, across origins.
  const gateway = await createGateway(config, { port: gatewayPort, env: { DX_SECRET: POLLS_SECRET, DX_LIVE_ORIGINS: pollsUrl }, dataDir, logLevel: 'silent', bus })
  await gateway.start()
  return {
    gateway,
    bus,
    pollsUrl,
    output: polls.output,
    async close() {
      await gateway.stop()
      await polls.stop()
      await bus.close()
    },
  }
}
