/**
 * CPU per process kind over one phase, from /proc: the gateway node(s) per
 * delivery, the publisher and the broker per message, and how busy the clients
 * were (when they use their cores fully, the throughput measured is theirs, not
 * the server's). The broker is shared with whatever else uses it on the machine.
 */
import { cpuMeter } from '../common/cpu-time.js'

export interface ProcessGroups {
  gateway: number[]
  publisher: number[]
  /** Empty when there is no broker, or its process cannot be read. */
  broker: number[]
  clients: number[]
}

export interface CpuSplit {
  wallSeconds: number
  gatewayUsPerDelivery: number | undefined
  gatewayCores: number | undefined
  publisherUsPerMessage: number | undefined
  brokerUsPerMessage: number | undefined
  /** Cores the client processes used, on average each (1 = each process had a core to itself). */
  clientCoresEach: number | undefined
  /** Cores the whole machine used meanwhile. */
  machineCores: number | undefined
}

const perUnit = (seconds: number | undefined, count: number) => (seconds === undefined || count === 0 ? undefined : (seconds * 1e6) / count)

/** Starts measuring; call the result with what the phase delivered and published. */
export function cpuSplit(groups: ProcessGroups): (deliveries: number, messages: number) => CpuSplit {
  const stop = cpuMeter({ gateway: groups.gateway, publisher: groups.publisher, broker: groups.broker, clients: groups.clients })
  return (deliveries, messages) => {
    const { wallSeconds, used } = stop()
    const cores = (seconds: number | undefined, of = 1) => (seconds === undefined || wallSeconds === 0 ? undefined : seconds / wallSeconds / of)
    return {
      wallSeconds,
      gatewayUsPerDelivery: perUnit(used.gateway, deliveries),
      gatewayCores: cores(used.gateway),
      publisherUsPerMessage: perUnit(used.publisher, messages),
      brokerUsPerMessage: groups.broker.length ? perUnit(used.broker, messages) : undefined,
      clientCoresEach: cores(used.clients, Math.max(1, groups.clients.length)),
      machineCores: cores(used.machine),
    }
  }
}
