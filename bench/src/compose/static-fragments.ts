/**
 * Child process for composer-only mode: nginx serving the three services'
 * fragments as static files, in place of the Node fragment servers, so every
 * composer's req/s and CPU per page are its own. Like the nginx composer, it
 * writes its config into the run's folder and runs nginx in the foreground
 * (one process, no master, no daemon), stopped when the bench stops it.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import Podlet from '@podium/podlet'
import { childArgs, runChild } from '../common/child-protocol.js'
import { freePort } from '../common/free-port.js'
import { SERVICES, SERVICE_VERSION, WIDGET, distributexManifest, fragmentHtml, type ServiceName } from './fragments.js'
import { findNginx, supportsErrorLogFlag } from './nginx-binary.js'
import { staticNginxConfig } from './static-fragments-config.js'

const READY_TIMEOUT_MS = 10_000

export interface StaticFragmentsInfo {
  /** Base URL of each service, as the Node fragment servers answer. */
  urls: Record<string, string>
  pids: number[]
  detail: string
}

const args = childArgs<{ workDir: string }>()
let nginx: ChildProcess | undefined

function writeService(dir: string, service: ServiceName): void {
  const folder = join(dir, service)
  mkdirSync(folder, { recursive: true })
  const podlet = new Podlet({ name: service, version: SERVICE_VERSION, pathname: `/${service}`, manifest: '/manifest.json', content: `/${WIDGET}` })
  writeFileSync(join(folder, 'dx-manifest.json'), JSON.stringify(distributexManifest(service)))
  writeFileSync(join(folder, 'health.json'), JSON.stringify({ status: 'ok' }))
  writeFileSync(join(folder, 'podlet-manifest.json'), JSON.stringify(podlet))
  writeFileSync(join(folder, 'widget.html'), fragmentHtml(service))
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
    await response.arrayBuffer()
    return response.status === 200
  } catch {
    return false
  }
}

runChild<StaticFragmentsInfo>(
  async () => {
    const binary = findNginx()
    if (!binary.found) throw new Error(`composer-only mode serves the fragments with nginx: ${binary.reason} (on Debian: apt-get install -y nginx)`)
    const dir = args.workDir
    mkdirSync(dir, { recursive: true })
    for (const service of SERVICES) writeService(dir, service)
    const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (service) => [service, await freePort()] as const))) as Record<ServiceName, number>
    const conf = join(dir, 'nginx.conf')
    writeFileSync(conf, staticNginxConfig({ dir, ports }))
    const flags = ['-p', `${dir}/`, '-c', conf, '-g', 'daemon off; master_process off;']
    if (supportsErrorLogFlag(binary.version)) flags.unshift('-e', 'stderr')
    const started = spawn(binary.path, flags, { stdio: ['ignore', 'inherit', 'pipe'] })
    nginx = started
    let stderr = ''
    let exited: string | undefined
    started.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      process.stderr.write(chunk)
    })
    started.on('exit', (code, signal) => {
      exited = `nginx (fragments) exited (${signal ?? `code ${code}`}): ${stderr.trim() || 'no output'}`
      nginx = undefined
    })
    started.on('error', (error) => (exited = `nginx (fragments) could not start: ${error.message}`))
    const urls = Object.fromEntries(SERVICES.map((service) => [service, `http://127.0.0.1:${ports[service]}`]))
    const deadline = Date.now() + READY_TIMEOUT_MS
    for (const service of SERVICES) {
      while (!(await answers(`${urls[service]}/health`))) {
        if (exited) throw new Error(exited)
        if (Date.now() > deadline) throw new Error(`nginx (fragments) did not answer within ${READY_TIMEOUT_MS} ms: ${stderr.trim() || 'no output'}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    return { urls, pids: started.pid ? [started.pid] : [], detail: `nginx ${binary.version}, static files, 1 process` }
  },
  async () => {
    const running = nginx
    if (!running) return
    await new Promise<void>((resolve) => {
      const forced = setTimeout(() => running.kill('SIGKILL'), 1500)
      running.once('exit', () => {
        clearTimeout(forced)
        resolve()
      })
      running.kill('SIGTERM')
    })
  },
)
