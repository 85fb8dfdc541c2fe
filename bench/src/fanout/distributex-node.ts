/**
 * Child process: one distributex gateway node with its live hub, configured
 * as a deployment is, on the in-process bus (one node) or Redis Streams (two
 * nodes). The publisher publishes stream actions on the bus the way a service's
 * `context.live.publish` does.
 */
import { createBus } from '@distributex/bus'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { liveTopic } from '@distributex/protocol'
import { childArgs, runChild } from '../common/child-protocol.js'
import { answerNodeRequests } from './node-runner.js'
import type { NodeArgs, NodeInfo } from './node-protocol.js'
import { payload } from './payload.js'

const args = childArgs<NodeArgs>()
const bus = createBus(args.redisUrl)
let gateway: Gateway | undefined

runChild<NodeInfo>(
  async () => {
    const config = parseGatewayConfig({ gateway: { port: 0, host: '127.0.0.1' }, services: {}, pages: [] }, 'bench configuration')
    const env = { DX_LOG_LEVEL: 'silent', DX_DATA_DIR: args.workDir, DX_SECRET: args.secret }
    gateway = await createGateway(config, { env, dataDir: args.workDir, logLevel: 'silent', port: 0, bus })
    const url = await gateway.start()
    answerNodeRequests(async () => {
      if (!args.publisher) throw new Error('this node does not publish')
      await bus.publish(liveTopic(args.channel), {
        type: 'live.update',
        source: 'bench',
        data: { channel: args.channel, actions: [{ action: 'append', target: 'feed', html: payload(args.payloadBytes) }] },
      })
    })
    return { url, detail: `gateway on the ${bus.kind} bus` }
  },
  async () => {
    await gateway?.stop()
    await bus.close()
  },
)
