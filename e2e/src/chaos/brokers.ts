/**
 * @module brokers
 * The chaos suite's own Redis and NATS servers: started as child processes on
 * spare ports with their data in a temporary folder, so the suite can kill and
 * restart them. The machine's shared servers are never touched.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BrokerProcess, findBinary } from '@distributex/bus/testing'

export type BusKind = 'redis' | 'nats'

const BROKERS: Record<BusKind, { binary: string; args: (port: number, dir: string) => string[]; url: (port: number) => string }> = {
  redis: {
    binary: 'redis-server',
    // Every write is in the append-only file before Redis answers it, so a killed process comes back with all of
    // it; fsync once a second (not per write) guards against a machine crash, which the suite does not rehearse.
    args: (port, dir) => ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', dir, '--save', '', '--logfile', join(dir, 'broker.log')],
    url: (port) => `redis://127.0.0.1:${port}`,
  },
  nats: {
    binary: 'nats-server',
    args: (port, dir) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir, '-l', join(dir, 'broker.log')],
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
    await restartBroker(broker)
  } catch (error) {
    await broker.dispose()
    throw error
  }
  return { process: broker, url: url(broker.port) }
}

/** The last lines the broker logged (for an error message), or an empty string. */
export function brokerLog(broker: BrokerProcess, lines = 8): string {
  try {
    return readFileSync(join(broker.dir, 'broker.log'), 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/** Starts `broker` again, waiting up to a minute; on failure the error carries the broker's last log lines. */
export async function restartBroker(broker: BrokerProcess): Promise<void> {
  // A broker starved of CPU on a busy machine can take long to listen again: that is part of the outage.
  await broker.start({ timeoutMs: 60_000 }).catch((error: Error) => {
    throw new Error(`${error.message}; its log ends:\n${brokerLog(broker)}`, { cause: error })
  })
}
