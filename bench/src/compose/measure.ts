/**
 * One composer from start to stop: start its process, check one page, warm it
 * up, measure throughput, then latency; stop it whatever happened, so the next
 * composer has the machine (and the fragment servers) to itself.
 */
import type { Settings } from './settings.js'
import type { ComposerArgs, ComposerInfo } from './composer-protocol.js'
import { startChild, type Child } from '../common/children.js'
import { verifyPage } from './verify.js'
import { runLoad, type LoadResult } from './throughput.js'
import { measureLatency, type LatencyResult } from './latency.js'
import { cpuMeter, cpuShares, type CpuShares } from '../common/cpu-time.js'

export interface Composer {
  name: string
  /** The child process entry, relative to this file. */
  script: URL
  /** Why this composer cannot run here, if it cannot. */
  unavailable?: () => string | undefined
}

export type ComposerResult =
  | { name: string; status: 'measured'; detail: string | undefined; pageBytes: number; load: LoadResult; cpu: CpuShares; latency: LatencyResult }
  | { name: string; status: 'skipped'; reason: string }
  | { name: string; status: 'failed'; reason: string }

export interface Backend {
  /** Processes serving the fragments (the Node fragment servers, or nginx in composer-only mode). */
  pids: number[]
  /** Base URL of each fragment server, by service name. */
  fragments: Record<string, string>
  /** Full URL of each widget on its fragment server. */
  widgetUrls: string[]
}

function log(name: string, message: string): void {
  console.log(`  ${name}: ${message}`)
}

export async function measureComposer(composer: Composer, backend: Backend, settings: Settings, workDir: string, headers: Record<string, string>): Promise<ComposerResult> {
  const { name } = composer
  const reason = composer.unavailable?.()
  if (reason) return { name, status: 'skipped', reason }
  let child: Child<ComposerInfo> | undefined
  try {
    const args: ComposerArgs = { fragments: backend.fragments, workDir, fragmentTimeoutMs: settings.fragmentTimeoutMs }
    // BENCH_PROFILE=<folder>: each composer writes a V8 CPU profile there (`--cpu-prof`), to see where its time goes.
    const profile = process.env.BENCH_PROFILE ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] } : {}
    child = await startChild<ComposerInfo>(name, composer.script, args, { env: { DX_LOG_LEVEL: 'silent', DX_DATA_DIR: workDir }, ...profile })
    const url = `${child.info.url}/`
    log(name, `listening at ${url}${child.info.detail ? ` (${child.info.detail})` : ''}`)
    const { bytes } = await verifyPage(url, headers)
    log(name, `page checked: ${bytes} bytes with all 3 fragments; warming up ${settings.warmupSeconds} s`)
    const warmup = await runLoad({ url, connections: settings.connections, seconds: settings.warmupSeconds, headers })
    if (warmup.errors) log(name, `warm-up had ${warmup.errorDetail} (not counted)`)
    log(name, `throughput ${settings.durationSeconds} s at ${settings.connections} connections`)
    const meter = cpuMeter({ composer: [child.pid, ...(child.info.pids ?? [])], fragments: backend.pids })
    const load = await runLoad({ url, connections: settings.connections, seconds: settings.durationSeconds, headers })
    const cpu = cpuShares(meter(), load.requests)
    if (child.exited) throw new Error(child.exited)
    log(name, `latency ${settings.latencySeconds} s at 1 connection`)
    const latency = await measureLatency({ pageUrl: url, fragmentUrls: backend.widgetUrls, seconds: settings.latencySeconds, maxRequests: settings.latencyRequests, headers })
    if (child.exited) throw new Error(child.exited)
    return { name, status: 'measured', detail: child.info.detail, pageBytes: bytes, load, cpu, latency }
  } catch (error) {
    return { name, status: 'failed', reason: error instanceof Error ? error.message : String(error) }
  } finally {
    await child?.stop()
  }
}
