/**
 * Child process: the gateway in front of the Bounties child, as a deployment
 * runs it (its own process, the service reached through the proxy, which hands
 * the raw bytes on unchanged). Logs at the same level as both peers.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { childArgs, runChild } from '../common/child-protocol.js'
import { BENCH_DX_SECRET } from './settings.js'

let gateway: Gateway | undefined
let workDir: string | undefined

runChild<{ url: string }>(
  async () => {
    const { bounties } = childArgs<{ bounties: string }>()
    const config = parseGatewayConfig({ gateway: { port: 0, host: '127.0.0.1' }, services: { bounties: { url: bounties } }, pages: [] }, 'bench configuration')
    workDir = mkdtempSync(join(tmpdir(), 'dx-bench-gateway-'))
    // A clean environment: a developer's own DX_* variables must not change what is measured.
    const env = { DX_LOG_LEVEL: 'error', DX_DATA_DIR: workDir, DX_SECRET: BENCH_DX_SECRET }
    gateway = await createGateway(config, { env, dataDir: workDir, logLevel: 'error', port: 0 })
    const url = await gateway.start()
    const down = gateway.registry.all().filter((entry) => entry.state !== 'up')
    if (down.length) throw new Error(`bounties not up behind the gateway: ${down.map((entry) => entry.status().lastError ?? entry.name).join('; ')}`)
    return { url }
  },
  async () => {
    await gateway?.stop()
    if (workDir) rmSync(workDir, { recursive: true, force: true })
  },
)
