/**
 * @module testing/broker-cluster
 * Test helper: a Redis Cluster (masters with a replica each) and a NATS
 * JetStream cluster, each node a `BrokerProcess` on free ports with its own
 * data directory, so a test can kill one node and start it again.
 */
import { execFile } from 'node:child_process'
import { before } from 'node:test'
import { promisify } from 'node:util'
import type { Cluster, Redis } from 'ioredis'
import { waitFor } from '@distributex/testkit'
import { freePort } from '@distributex/testkit'
import { ioredis, nats } from '../clients.js'
import { keySlot } from '../redis/slot.js'
import { BrokerProcess, findBinary } from './broker-process.js'

const run = promisify(execFile)

/** Binaries a cluster needs, or why its test is skipped; under CI=true a missing one throws, naming `what`. */
export function clusterBinaries<Name extends string>(
  names: readonly Name[],
  what: string,
  /** The bus adapter this is for: skipped when `DX_BUS_ADAPTERS` names others only. */
  adapter?: 'redis' | 'nats',
): { binaries: Record<Name, string>; skip: false } | { binaries: undefined; skip: string } {
  const selected = process.env.DX_BUS_ADAPTERS?.split(',').map((name) => name.trim())
  if (adapter && selected && !selected.includes(adapter)) return { binaries: undefined, skip: `${adapter} is not in DX_BUS_ADAPTERS` }
  const found = names.map((name) => [name, findBinary(name)] as const)
  const missing = found.filter(([, path]) => !path).map(([name]) => name)
  if (missing.length === 0) return { binaries: Object.fromEntries(found) as Record<Name, string>, skip: false }
  if (process.env.CI === 'true') throw new Error(`${missing.join(' and ')} not installed, but CI=true requires ${what}`)
  return { binaries: undefined, skip: `${missing.join(' and ')} not installed` }
}

/**
 * Starts a cluster, again on new ports if it fails (three tries): ports are picked free but taken only once each
 * node listens, so two nodes, or another test's process, can rarely get the same one and the cluster cannot form.
 */
async function onFreshPorts<T>(start: () => Promise<T>, tries = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start()
    } catch (error) {
      if (attempt >= tries) throw error
      process.stderr.write(`a test cluster did not form (${error instanceof Error ? error.message : String(error)}); trying again on new ports\n`)
    }
  }
}

async function allStarted(nodes: BrokerProcess[]): Promise<void> {
  const started = await Promise.allSettled(nodes.map((node) => node.start()))
  const failed = started.find((result) => result.status === 'rejected')
  if (failed) {
    await Promise.allSettled(nodes.map((node) => node.dispose()))
    throw (failed as PromiseRejectedResult).reason
  }
}

/** A Redis Cluster of `masters` masters with `replicas` replicas each, on 127.0.0.1. */
export class RedisClusterProcess {
  private constructor(readonly nodes: BrokerProcess[]) {}

  /**
   * Starts the nodes (no persistence: a replica's copy is what survives a master's death), joins them
   * with `redis-cli --cluster create`, and waits until every slot is served and every master has its replicas.
   * `nodeTimeoutMs` is how long a silent master takes to be declared failed (a failover follows).
   * A master refuses writes while it has fewer than `replicas` replicas in sync (`min-replicas-to-write`),
   * so a publish it could not have confirmed is refused instead of written unconfirmed.
   */
  static async start(binaries: { 'redis-server': string; 'redis-cli': string }, options: { masters?: number; replicas?: number; nodeTimeoutMs?: number } = {}): Promise<RedisClusterProcess> {
    return onFreshPorts(() => RedisClusterProcess.startOnce(binaries, options))
  }

  private static async startOnce(binaries: { 'redis-server': string; 'redis-cli': string }, { masters = 3, replicas = 1, nodeTimeoutMs = 2000 } = {}): Promise<RedisClusterProcess> {
    const nodes: BrokerProcess[] = []
    for (let index = 0; index < masters * (1 + replicas); index++) {
      const busPort = await freePort()
      nodes.push(
        await BrokerProcess.create(binaries['redis-server'], (port, dir) => [
          '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
          '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort),
          '--cluster-node-timeout', String(nodeTimeoutMs), '--cluster-replica-validity-factor', '0',
          '--min-replicas-to-write', String(replicas), '--min-replicas-max-lag', '10',
          '--appendonly', 'no', '--save', '',
        ]),
      )
    }
    await allStarted(nodes)
    const cluster = new RedisClusterProcess(nodes)
    try {
      await run(binaries['redis-cli'], ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], { timeout: 30_000 }).catch((error: { stdout?: string; message: string }) => {
        // redis-cli says what went wrong on stdout.
        throw new Error(`redis-cli --cluster create failed: ${(error.stdout ?? '').trim().split('\n').slice(-5).join(' | ') || error.message}`, { cause: error })
      })
      await cluster.waitHealthy(masters, replicas)
    } catch (error) {
      await cluster.dispose()
      throw error
    }
    return cluster
  }

  /** The bus URL of the cluster (every node a seed); `query` e.g. "wait=1". */
  url(query = ''): string {
    return `redis-cluster://${this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}${query ? `?${query}` : ''}`
  }

  /** A plain client of the cluster, for a test's own checks. */
  client(): Cluster {
    const client = new (ioredis().Cluster)(this.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })))
    client.on('error', () => {})
    return client
  }

  /** Runs `command` on one live node of `among` (asked in turn until one answers; default every node). */
  async ask<T>(command: (node: Redis) => Promise<T>, among: BrokerProcess[] = this.nodes): Promise<T> {
    let last: unknown = new Error('no node to ask')
    for (const node of among) {
      const redis = new (ioredis().Redis)(node.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      redis.on('error', () => {})
      try {
        await redis.connect()
        return await command(redis)
      } catch (error) {
        last = error
      } finally {
        redis.disconnect()
      }
    }
    throw last
  }

  /** The node serving `key`'s slot as master, seen from a node other than `except`. */
  async masterOf(key: string, except?: BrokerProcess): Promise<BrokerProcess> {
    const slot = keySlot(key)
    const ranges = (await this.ask((redis) => redis.call('CLUSTER', 'SLOTS'), this.nodes.filter((node) => node !== except))) as Array<[number, number, [string, number, ...unknown[]], ...unknown[]]>
    const range = ranges.find(([first, last]) => slot >= first && slot <= last)
    const node = this.nodes.find((candidate) => candidate.port === Number(range?.[2][1]))
    if (!node) throw new Error(`no master serves slot ${slot}`)
    return node
  }

  /** Waits until the cluster is "ok" and `masters` masters serve slots, each with `replicas` replicas in sync. */
  async waitHealthy(masters: number, replicas: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        const [info, nodes] = await this.ask((redis) => Promise.all([redis.call('CLUSTER', 'INFO'), redis.call('CLUSTER', 'NODES')]))
        if (!String(info).includes('cluster_state:ok')) return false
        // "<id> <host:port@bus> <flags> <master> … <slots>": masters that serve slots and are not failing.
        const serving = String(nodes)
          .trim()
          .split('\n')
          .map((line) => line.split(' '))
          .filter((fields) => /master/.test(fields[2] ?? '') && !/fail/.test(fields[2] ?? '') && fields.length > 8)
        if (serving.length < masters) return false
        for (const fields of serving) {
          const port = Number(/:(\d+)@/.exec(fields[1] ?? '')?.[1])
          const node = this.nodes.find((candidate) => candidate.port === port)
          if (!node) return false
          const replication = await this.ask((redis) => redis.info('replication'), [node])
          if ((String(replication).match(/state=online/g) ?? []).length < replicas) return false
        }
        return true
      },
      { timeoutMs, intervalMs: 200, what: `the Redis Cluster to serve every slot with ${replicas} replica(s) in sync per master` },
    )
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.nodes.map((node) => node.dispose()))
  }
}

/** A NATS cluster of `size` servers with JetStream, each with its own store; server names n1, n2, … */
export class NatsClusterProcess {
  private constructor(readonly nodes: BrokerProcess[]) {}

  static async start(binary: string, options: { size?: number } = {}): Promise<NatsClusterProcess> {
    return onFreshPorts(() => NatsClusterProcess.startOnce(binary, options))
  }

  private static async startOnce(binary: string, { size = 3 } = {}): Promise<NatsClusterProcess> {
    const routePorts: number[] = []
    for (let index = 0; index < size; index++) routePorts.push(await freePort())
    const routes = routePorts.map((port) => `nats://127.0.0.1:${port}`).join(',')
    const nodes: BrokerProcess[] = []
    for (let index = 0; index < size; index++) {
      nodes.push(
        await BrokerProcess.create(binary, (port, dir) => [
          '-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir, '--server_name', `n${index + 1}`,
          '--cluster_name', 'dx', '--cluster', `nats://127.0.0.1:${routePorts[index]}`, '--routes', routes,
        ]),
      )
    }
    await allStarted(nodes)
    const cluster = new NatsClusterProcess(nodes)
    try {
      await cluster.waitJetStream()
    } catch (error) {
      await cluster.dispose()
      throw error
    }
    return cluster
  }

  /** The bus URL of the cluster (every server a seed); `query` e.g. "replicas=3". */
  url(query = ''): string {
    return `${this.nodes.map((node) => `nats://127.0.0.1:${node.port}`).join(',')}${query ? `?${query}` : ''}`
  }

  /** Waits until JetStream answers (a meta leader is elected) through any server. */
  async waitJetStream(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        const nc = await nats().connect({ servers: this.url(), reconnect: false }).catch(() => undefined)
        if (!nc) return false
        try {
          const jsm = await nc.jetstreamManager({ timeout: 1000 })
          await jsm.getAccountInfo()
          return true
        } catch {
          return false
        } finally {
          await nc.close().catch(() => undefined)
        }
      },
      { timeoutMs, intervalMs: 250, what: 'the NATS cluster to elect a JetStream leader' },
    )
  }

  /** The server leading `stream` (it orders and acknowledges its publishes). */
  async leaderOf(stream: string): Promise<BrokerProcess> {
    const nc = await nats().connect({ servers: this.url() })
    try {
      const info = await (await nc.jetstreamManager()).streams.info(stream)
      const name = info.cluster?.leader
      const node = this.nodes[Number(/^n(\d+)$/.exec(name ?? '')?.[1]) - 1]
      if (!node) throw new Error(`stream ${stream} has no leader (${name ?? 'none'})`)
      return node
    } finally {
      await nc.close()
    }
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.nodes.map((node) => node.dispose()))
  }
}

/** One clustered broker of a test file: why it is skipped, or the cluster once `before` started it. */
export interface ClusterForTests<C> {
  skip: string | false
  /** The running cluster (call inside a test, after the file's `before`). */
  readonly cluster: C
}

/**
 * Starts a Redis Cluster and a NATS cluster for a test file in a `before` hook, each skipped with the reason when
 * its binaries are missing (a failure under CI=true) or `DX_BUS_ADAPTERS` leaves it out. `dispose` stops both:
 * register it with `after` at the end of the file, once the tests' own hooks have closed their clients.
 */
export function clustersForTests(what: string): { redis: ClusterForTests<RedisClusterProcess>; nats: ClusterForTests<NatsClusterProcess>; dispose(): Promise<void> } {
  const redisFound = clusterBinaries(['redis-server', 'redis-cli'], `${what} on a Redis Cluster`, 'redis')
  const natsFound = clusterBinaries(['nats-server'], `${what} on a NATS cluster`, 'nats')
  let redis: RedisClusterProcess | undefined
  let nats: NatsClusterProcess | undefined
  before(async () => {
    ;[redis, nats] = await Promise.all([
      redisFound.binaries ? RedisClusterProcess.start(redisFound.binaries) : undefined,
      natsFound.binaries ? NatsClusterProcess.start(natsFound.binaries['nats-server']) : undefined,
    ])
  })
  const running = <C>(cluster: C | undefined, name: string): C => {
    if (!cluster) throw new Error(`the ${name} is not running: use it inside a test, after the file's before hook`)
    return cluster
  }
  return {
    redis: { skip: redisFound.skip, get cluster() { return running(redis, 'Redis Cluster') } },
    nats: { skip: natsFound.skip, get cluster() { return running(nats, 'NATS cluster') } },
    dispose: async () => {
      await Promise.allSettled([redis?.dispose(), nats?.dispose()])
    },
  }
}
