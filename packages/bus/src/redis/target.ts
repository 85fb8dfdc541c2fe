/**
 * @module redis/target
 * Where the Redis adapter connects: one server (`redis://`, `rediss://`) or a
 * Redis Cluster (`redis-cluster://[user:password@]host:port[,host:port…][?wait=N]`,
 * `rediss-cluster://` with TLS). The cluster's nodes are seeds: the client learns
 * the others, and who holds which slot, from them. `wait` is how many replicas
 * must confirm a publish before it is acknowledged (Redis `WAIT`; default 1).
 */
import type { Cluster, Redis } from 'ioredis'
import { ConfigError } from '@distributex/protocol'
import { ioredis } from '../clients.js'

/** A connection to one server or to a cluster (both speak the same commands). */
export type RedisClient = Redis | Cluster

export type RedisTarget =
  | { cluster: false; url: string }
  | { cluster: true; nodes: Array<{ host: string; port: number }>; username?: string; password?: string; tls: boolean; waitReplicas: number }

export const CLUSTER_SCHEMES = ['redis-cluster:', 'rediss-cluster:']
const CLUSTER_FORM = 'redis-cluster://[user:password@]host:port[,host:port][?wait=N]'

function invalid(url: string, why: string): ConfigError {
  return new ConfigError(`Redis URL "${url.replace(/\/\/[^@/]*@/, '//***@')}" is invalid: ${why} (write ${CLUSTER_FORM})`, { fields: { url } })
}

/** Parses the adapter's URL; throws `ConfigError` naming what is wrong. */
export function parseRedisTarget(url: string): RedisTarget {
  const scheme = /^[a-z-]+:/i.exec(url)?.[0]?.toLowerCase()
  if (!scheme || !CLUSTER_SCHEMES.includes(scheme)) return { cluster: false, url }
  const rest = url.slice(scheme.length)
  if (!rest.startsWith('//')) throw invalid(url, 'the nodes must follow "//"')
  const [authority = '', query = ''] = rest.slice(2).split('?', 2)
  const at = authority.lastIndexOf('@')
  const credentials = at >= 0 ? authority.slice(0, at) : undefined
  const nodes = (at >= 0 ? authority.slice(at + 1) : authority)
    .replace(/\/+$/, '')
    .split(',')
    .map((node) => node.trim())
  if (nodes.length === 0 || nodes.some((node) => !/^[^\s/:,@]+:\d{1,5}$/.test(node))) throw invalid(url, 'list one host:port or more, separated by commas')
  let waitReplicas = 1
  for (const pair of query.split('&').filter(Boolean)) {
    const [name, value = ''] = pair.split('=', 2)
    if (name !== 'wait') throw invalid(url, `"${name}" is not an option (only "wait")`)
    if (!/^\d$/.test(value)) throw invalid(url, 'wait must be a number of replicas from 0 to 9')
    waitReplicas = Number(value)
  }
  let username: string | undefined
  let password: string | undefined
  if (credentials !== undefined) {
    const colon = credentials.indexOf(':')
    username = decodeURIComponent(colon >= 0 ? credentials.slice(0, colon) : credentials) || undefined
    password = colon >= 0 ? decodeURIComponent(credentials.slice(colon + 1)) : undefined
  }
  return {
    cluster: true,
    nodes: nodes.map((node) => {
      const colon = node.lastIndexOf(':')
      return { host: node.slice(0, colon), port: Number(node.slice(colon + 1)) }
    }),
    username,
    password,
    tls: scheme === 'rediss-cluster:',
    waitReplicas,
  }
}

/** The adapter's command connection. Connection errors surface as rejected commands; the client reconnects on its own. */
export function connectRedis(target: RedisTarget, connectionName: string): RedisClient {
  const { Cluster, Redis } = ioredis()
  const retryStrategy = (times: number): number => Math.min(times * 100, 1000)
  const client: RedisClient = target.cluster
    ? new Cluster(target.nodes, {
        clusterRetryStrategy: retryStrategy,
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 100,
        redisOptions: {
          username: target.username,
          password: target.password,
          tls: target.tls ? {} : undefined,
          connectionName,
          maxRetriesPerRequest: 20,
        },
      })
    : new Redis(target.url, { maxRetriesPerRequest: 20, retryStrategy, connectionName })
  client.on('error', () => {})
  return client
}

/** Another connection like `main` (for blocking reads, which hold their connection). */
export function duplicateConnection(main: RedisClient, connectionName: string): RedisClient {
  const connection: RedisClient = main.isCluster
    ? (main as Cluster).duplicate(undefined, { redisOptions: { ...(main as Cluster).options.redisOptions, connectionName } })
    : (main as Redis).duplicate({ connectionName })
  connection.on('error', () => {})
  return connection
}
