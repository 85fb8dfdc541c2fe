/**
 * Child process: one distributex gateway, its live hub on the Redis bus, as a
 * deployment runs it (no services: only the hub is measured). The per-address
 * request limit is off: the bench's clients come from a handful of source
 * addresses, which is not the traffic that limit is for.
 */
import { createBus } from '@distributex/bus'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { childArgs, runChild } from '../common/child-protocol.js'
import { answerServerRequests } from './server-status.js'
import type { ServerArgs, ServerInfo } from './protocol.js'

const args = childArgs<ServerArgs>()
const bus = createBus(args.redisUrl)
let gateway: Gateway | undefined

runChild<ServerInfo>(
  async () => {
    const config = parseGatewayConfig({ gateway: { port: 0, host: '127.0.0.1', security: { rateLimit: { max: 0 } } }, services: {}, pages: [] }, 'bench configuration')
    const env = { DX_LOG_LEVEL: 'silent', DX_DATA_DIR: args.workDir, DX_SECRET: args.secret }
    gateway = await createGateway(config, { env, dataDir: args.workDir, logLevel: 'silent', port: 0, bus })
    const url = new URL(await gateway.start())
    answerServerRequests(args.workDir)
    return { host: url.hostname, port: Number(url.port), detail: `gateway, live hub on the ${bus.kind} bus` }
  },
  async () => {
    await gateway?.stop()
    await bus.close()
  },
)
