/**
 * Child process: nginx with SSI as the third composer. This Node process writes
 * the config and the page into its work folder, runs nginx in the foreground
 * (one worker, no master, no daemon: it stays this process's child) and stops
 * it when the bench stops this process or goes away.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import { childArgs, runChild } from '../common/child-protocol.js'
import type { ComposerArgs, ComposerInfo } from './composer-protocol.js'
import { findNginx, supportsErrorLogFlag } from './nginx-binary.js'
import { nginxConfig, ssiPage } from './nginx-config.js'
import { freePort } from '../common/free-port.js'

const READY_TIMEOUT_MS = 10_000

const args = childArgs<ComposerArgs>()
let nginx: ChildProcess | undefined

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) })
    await response.arrayBuffer()
    return response.status === 200
  } catch {
    return false
  }
}

runChild<ComposerInfo>(
  async () => {
    const binary = findNginx()
    if (!binary.found) throw new Error(binary.reason)
    const dir = args.workDir
    mkdirSync(join(dir, 'html'), { recursive: true })
    const port = await freePort()
    const conf = join(dir, 'nginx.conf')
    writeFileSync(conf, nginxConfig({ dir, port, fragments: args.fragments, fragmentTimeoutMs: args.fragmentTimeoutMs }))
    writeFileSync(join(dir, 'html', 'page.html'), ssiPage())

    const flags = ['-p', `${dir}/`, '-c', conf, '-g', 'daemon off; master_process off;']
    if (supportsErrorLogFlag(binary.version)) flags.unshift('-e', 'stderr')
    const started = spawn(binary.path, flags, { stdio: ['ignore', 'inherit', 'pipe'] })
    nginx = started
    let stderr = ''
    started.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      process.stderr.write(chunk)
    })
    let exited: string | undefined
    started.on('exit', (code, signal) => {
      exited = `nginx exited (${signal ?? `code ${code}`}): ${stderr.trim() || 'no output'}`
      nginx = undefined
    })
    started.on('error', (error) => {
      exited = `nginx could not start: ${error.message}`
    })

    const url = `http://127.0.0.1:${port}`
    const deadline = Date.now() + READY_TIMEOUT_MS
    while (!(await answers(`${url}/`))) {
      if (exited) throw new Error(exited)
      if (Date.now() > deadline) throw new Error(`nginx did not answer on ${url} within ${READY_TIMEOUT_MS} ms: ${stderr.trim() || 'no output'}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return { url, detail: `nginx ${binary.version}`, pids: started.pid ? [started.pid] : [] }
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
