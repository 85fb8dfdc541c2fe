/**
 * @module fixture-process
 * A protocol-speaking service in its own Node process, for tests that kill a
 * process (SIGKILL, as an operator or the kernel would) or measure the
 * gateway's memory apart from the service's. `behaviour` picks how it answers:
 * - `ok`: a small fragment; any other request gets JSON echoing method and path (after `delayMs`);
 * - `black-hole`: accepts connections and never answers anything;
 * - `huge-manifest`: a 50 MB manifest (streamed, never held in memory), health and fragments as `ok`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'

export type FixtureBehaviour = 'ok' | 'black-hole' | 'huge-manifest'

export interface FixtureProcess {
  url: string
  child: ChildProcess
  /** Asks the process how many requests it saw per path. */
  counts(): Promise<Record<string, number>>
  kill(): Promise<void>
}

const SCRIPT = String.raw`
import { createServer } from 'node:http'
const [name, behaviour, delayMs] = [process.env.FX_NAME, process.env.FX_BEHAVIOUR, Number(process.env.FX_DELAY_MS)]
const counts = {}
const chunk = Buffer.alloc(64 * 1024, 0x20)
const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0]
  if (path === '/_fx/counts') return res.end(JSON.stringify(counts))
  counts[path] = (counts[path] ?? 0) + 1
  if (behaviour === 'black-hole') return
  res.setHeader('x-dx-service-version', '1.0.0')
  if (path === '/_dx/manifest') {
    const manifest = JSON.stringify({ protocol: 1, name, version: '1.0.0', title: name, mount: '/' + name, widgets: [{ name: 'w', title: name, path: '/' + name + '/w' }] })
    res.setHeader('content-type', 'application/json')
    if (behaviour !== 'huge-manifest') return res.end(manifest)
    // 50 MB of spaces, then the manifest: valid JSON, never in memory here.
    let left = 800
    const pump = () => {
      while (left > 0) {
        left--
        if (!res.write(chunk)) return res.once('drain', pump)
      }
      res.end(manifest)
    }
    return pump()
  }
  if (path === '/health') return res.end('{"status":"ok"}')
  const answer = () => {
    if (path === '/' + name + '/w') {
      res.setHeader('content-type', 'text/html; charset=utf-8')
      return res.end('<p>' + name + ' fragment</p>')
    }
    let body = ''
    req.on('data', (data) => (body += data))
    req.on('end', () => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ method: req.method, path, body, pid: process.pid }))
    })
  }
  if (delayMs > 0) setTimeout(answer, delayMs)
  else answer()
})
server.keepAliveTimeout = 5000
server.listen(Number(process.env.FX_PORT ?? 0), '127.0.0.1', () => process.stdout.write(server.address().port + '\n'))
// Gone with the test process, even when it dies without killing this one.
process.stdin.on('end', () => process.exit(0)).resume()
`

/** Starts a fixture service in a child process on a free port (or on `port`, to start one again where it was). */
export async function startFixtureProcess(name: string, behaviour: FixtureBehaviour = 'ok', options: { delayMs?: number; port?: number } = {}): Promise<FixtureProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], {
    env: { ...process.env, FX_NAME: name, FX_BEHAVIOUR: behaviour, FX_DELAY_MS: String(options.delayMs ?? 0), ...(options.port ? { FX_PORT: String(options.port) } : {}) },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer]
  const url = `http://127.0.0.1:${String(line).trim()}`
  return {
    url,
    child,
    async counts() {
      const response = await fetch(`${url}/_fx/counts`)
      return (await response.json()) as Record<string, number>
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGKILL')
      await exited
    },
  }
}
