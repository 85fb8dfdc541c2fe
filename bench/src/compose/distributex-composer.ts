/**
 * Child process: the distributex gateway composing page "/" from the three
 * fragment servers, configured the way a deployment is (a config object checked
 * by parseGatewayConfig), with logging silenced so the bench measures composing.
 */
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { childArgs, runChild } from '../common/child-protocol.js'
import type { ComposerArgs, ComposerInfo } from './composer-protocol.js'
import { SERVICES, WIDGET } from './fragments.js'
import { BENCH_SECRET } from './bench-session.js'

const args = childArgs<ComposerArgs>()
let gateway: Gateway | undefined

runChild<ComposerInfo>(
  async () => {
    const config = parseGatewayConfig(
      {
        gateway: { port: 0, host: '127.0.0.1', widgetTimeoutMs: args.fragmentTimeoutMs },
        services: Object.fromEntries(SERVICES.map((service) => [service, { url: args.fragments[service] }])),
        pages: [{ path: '/', title: 'Bench', widgets: SERVICES.map((service) => ({ service, widget: WIDGET })) }],
      },
      'bench configuration',
    )
    // A clean environment: a developer's own DX_* variables must not change what is measured.
    const env = { DX_LOG_LEVEL: 'silent', DX_DATA_DIR: args.workDir, DX_SECRET: BENCH_SECRET }
    gateway = await createGateway(config, { env, dataDir: args.workDir, logLevel: 'silent', port: 0 })
    const url = await gateway.start()
    const down = gateway.registry.all().filter((entry) => entry.state !== 'up')
    if (down.length) throw new Error(`services not up after the first health check: ${down.map((entry) => entry.status().lastError ?? entry.name).join('; ')}`)
    return { url }
  },
  async () => {
    await gateway?.stop()
  },
)
