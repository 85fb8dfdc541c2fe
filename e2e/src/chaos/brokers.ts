/**
 * @module brokers
 * The chaos suite's own Redis and NATS servers: started as child processes on
 * spare ports with their data in a temporary folder, so the suite can kill and
 * restart them. The machine's shared servers are never touched.
 */
import { BrokerProcess, findBinary } from '@distributex/bus/testing'

export type BusKind = 'redis' | 'nats'

const BROKERS: Record<BusKind, { binary: string; args: (port: number, dir: string) => string[]; url: (port: number) => string }> = {
  redis: {
    binary: 'redis-server',
    // Every acknowledged write is on disk: a killed Redis comes back with all of it.
    args: (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, '--save', ''],
    url: (port) => `redis://127.0.0.1:${port}`,
  },
  nats: {
    binary: 'nats-server',
    args: (port, dir) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
    url: (port) => `nats://127.0.0.1:${port}`,
  },
}

/** Why a broker cannot be run here, or undefined when its binary is installed. */
export function brokerMissing(kind: BusKind): string | undefined {
  return findBinary(BROKERS[kind].binary) ? undefined : `${BROKERS[kind].binary} is not installed`
}

/** Starts a broker of `kind`; `url` is what the cluster's processes connect to. */
export async function startBroker(kind: BusKind): Promise<{ process: BrokerProcess; url: string }> {
  const { binary, args, url } = BROKERS[kind]
  const path = findBinary(binary)
  if (!path) throw new Error(`${binary} is not installed`)
  const broker = await BrokerProcess.create(path, args)
  try {
    await broker.start()
  } catch (error) {
    await broker.dispose()
    throw error
  }
  return { process: broker, url: url(broker.port) }
}
