/**
 * `npm run bench:compose`: the same three-widget page composed by the
 * distributex gateway, by @podium/layout and (when installed) by nginx SSI,
 * one composer at a time against the same fragment servers, then one table.
 * Exits non-zero when a composer failed or answered anything but a full page.
 *
 * Processes: this one runs the load (autocannon, undici); the fragment servers
 * run in one child (or, with `--composer-only`, nginx serves them as static files); each composer runs in its own child while it is measured.
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { readSettings, describeSettings } from './settings.js'
import { describeMachine } from '../common/machine.js'
import { startChild, type Child } from '../common/children.js'
import { SERVICES, widgetPath } from './fragments.js'
import { verifyFragment } from './verify.js'
import { measureComposer, type Backend, type Composer, type ComposerResult } from './measure.js'
import { findNginx } from './nginx-binary.js'
import { allClean, renderReport } from './report.js'
import { benchSessionCookie } from './bench-session.js'
import { composerOnlyTargets } from './targets.js'
import type { StaticFragmentsInfo } from './static-fragments.js'

interface Fragments {
  child: Child<unknown>
  urls: Record<string, string>
  pids: number[]
  detail: string
}

async function startNodeFragments(): Promise<Fragments> {
  const child = await startChild<Record<string, string>>('fragment servers', new URL('./fragment-servers.js', import.meta.url))
  return { child, urls: child.info, pids: [child.pid], detail: 'Node, one process' }
}

/** Composer-only mode: nginx serves the same fragments, manifests and health answers as static files. */
async function startStaticFragments(workDir: string): Promise<Fragments> {
  const child = await startChild<StaticFragmentsInfo>('static fragments', new URL('./static-fragments.js', import.meta.url), { workDir })
  return { child, urls: child.info.urls, pids: child.info.pids, detail: child.info.detail }
}

/** A returning browser's session cookie, signed for the bench gateway's secret. */
const SESSION_COOKIE = benchSessionCookie()

const COMPOSERS: Composer[] = [
  { name: 'distributex', script: new URL('./distributex-composer.js', import.meta.url) },
  { name: 'podium', script: new URL('./podium-composer.js', import.meta.url) },
  // Idealised (minimal-composer.ts): about the least a Node.js composer can spend per page.
  { name: 'minimal-node', script: new URL('./minimal-composer.js', import.meta.url) },
  {
    name: 'nginx-ssi',
    script: new URL('./nginx-composer.js', import.meta.url),
    // Looked up when its turn comes: nginx may be installed while the run is under way.
    unavailable: () => {
      const lookup = findNginx()
      return lookup.found ? undefined : lookup.reason
    },
  },
]

async function main(): Promise<number> {
  const settings = readSettings()
  console.log('compose benchmark: one page of 3 widgets (~2 KB of HTML each)')
  console.log(`machine:  ${describeMachine()}`)
  console.log(`settings: ${describeSettings(settings)}`)
  console.log('')

  const workRoot = mkdtempSync(join(tmpdir(), 'distributex-bench-'))
  // Also on Ctrl-C, when `finally` does not run.
  const removeWorkRoot = () => rmSync(workRoot, { recursive: true, force: true })
  process.on('exit', removeWorkRoot)
  let fragmentServers: Child<unknown> | undefined
  try {
    const servers = settings.composerOnly ? await startStaticFragments(join(workRoot, 'fragments')) : await startNodeFragments()
    fragmentServers = servers.child
    const backend: Backend = {
      pids: servers.pids,
      fragments: servers.urls,
      widgetUrls: SERVICES.map((service) => `${servers.urls[service]}${widgetPath(service)}`),
    }
    await Promise.all(backend.widgetUrls.map(verifyFragment))
    console.log(`fragment servers (${servers.detail}): ${SERVICES.map((service) => `${service} ${backend.fragments[service]}`).join(', ')}`)

    const headers: Record<string, string> = settings.sessionCookie ? { cookie: SESSION_COOKIE } : {}
    const results: ComposerResult[] = []
    for (const composer of COMPOSERS) {
      const workDir = join(workRoot, composer.name)
      mkdirSync(workDir, { recursive: true })
      const result = await measureComposer(composer, backend, settings, workDir, headers)
      if (result.status === 'skipped') console.log(`  ${composer.name}: skipped (${result.reason})`)
      if (result.status === 'failed') console.log(`  ${composer.name}: FAILED: ${result.reason}`)
      if (servers.child.exited) throw new Error(servers.child.exited)
      results.push(result)
    }

    console.log('')
    for (const line of renderReport(results, availableParallelism())) console.log(line)
    const targetLines = settings.composerOnly ? composerOnlyTargets(results) : []
    for (const line of targetLines) console.log(line)
    const targetsMet = !targetLines.some((line) => line.includes('NOT MET'))
    return allClean(results) && targetsMet ? 0 : 1
  } finally {
    await fragmentServers?.stop()
    removeWorkRoot()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`compose benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exit(1)
  },
)
