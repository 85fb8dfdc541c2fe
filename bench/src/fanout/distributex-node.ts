/**
 * Child process: one distributex gateway node with its live hub, configured
 * as a deployment is, on Redis Streams or NATS JetStream. It does not publish:
 * the publisher is a process of its own (publisher.js), as a service is.
 * Started as the `distributex` launcher starts a gateway: its young-generation
 * policy is set before any of the gateway's code loads (preloaded by the
 * bench with `--import`, scenario.ts), and released once it has started.
 */
import { releaseYoungGeneration } from './hold-young-generation.js'
import { createBus } from '@distributex/bus'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { childArgs, runChild } from '../common/child-protocol.js'
import { answerNodeRequests } from './node-runner.js'
import type { NodeArgs, NodeInfo } from './node-protocol.js'

const args = childArgs<NodeArgs>()
const bus = createBus(args.busUrl)
let gateway: Gateway | undefined

runChild<NodeInfo>(
  async () => {
    const config = parseGatewayConfig({ gateway: { port: 0, host: '127.0.0.1' }, services: {}, pages: [] }, 'bench configuration')
    const traced = args.tracing
      ? { OTEL_EXPORTER_OTLP_ENDPOINT: args.tracing.endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(args.tracing.ratio) }
      : {}
    const delay = args.writeDelayMs === undefined ? {} : { DX_LIVE_WRITE_DELAY_MS: String(args.writeDelayMs) }
    const env = { DX_LOG_LEVEL: 'silent', DX_DATA_DIR: args.workDir, DX_SECRET: args.secret, ...delay, ...traced }
    gateway = await createGateway(config, { env, dataDir: args.workDir, logLevel: 'silent', port: 0, bus })
    const url = await gateway.start()
    releaseYoungGeneration()
    const hub = gateway.hub
    answerNodeRequests((request) => {
      if (!hub) throw new Error('the gateway has no live hub')
      hub.writes.delayMs = request.ms
      return true
    })
    return { url, detail: `gateway on the ${bus.kind} bus${args.tracing ? `, tracing ${args.tracing.ratio * 100}% to a local OTLP sink` : ''}` }
  },
  async () => {
    await gateway?.stop()
    await bus.close()
  },
)
