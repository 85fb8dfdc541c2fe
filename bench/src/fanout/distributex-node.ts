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
import { inSpan, publishTraced, SpanKind, startTracing, type Tracing } from '@distributex/telemetry'

const args = childArgs<NodeArgs>()
const bus = createBus(args.redisUrl)
let gateway: Gateway | undefined
let tracing: Tracing | undefined

runChild<NodeInfo>(
  async () => {
    const config = parseGatewayConfig({ gateway: { port: 0, host: '127.0.0.1' }, services: {}, pages: [] }, 'bench configuration')
    const traced = args.tracing
      ? { OTEL_EXPORTER_OTLP_ENDPOINT: args.tracing.endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(args.tracing.ratio) }
      : {}
    const env = { DX_LOG_LEVEL: 'silent', DX_DATA_DIR: args.workDir, DX_SECRET: args.secret, ...traced }
    gateway = await createGateway(config, { env, dataDir: args.workDir, logLevel: 'silent', port: 0, bus })
    const url = await gateway.start()
    // Traced, each publish is made as a service's request makes it: in a request span, the envelope carrying its context.
    tracing = startTracing({ service: 'bench-publisher', env })
    const tracer = tracing.tracer
    const topic = liveTopic(args.channel)
    const publish = () =>
      publishTraced(tracer, topic, { type: 'live.update', source: 'bench', data: { channel: args.channel, actions: [{ action: 'append', target: 'feed', html: payload(args.payloadBytes) }] } }, (event) =>
        bus.publish(topic, event),
      )
    answerNodeRequests(async () => {
      if (!args.publisher) throw new Error('this node does not publish')
      await inSpan(tracer, 'POST /bench/publish', SpanKind.SERVER, publish)
    })
    return { url, detail: `gateway on the ${bus.kind} bus${args.tracing ? `, tracing ${args.tracing.ratio * 100}% to a local OTLP sink` : ''}` }
  },
  async () => {
    await gateway?.stop()
    await tracing?.shutdown()
    await bus.close()
  },
)
