/**
 * @module nats/url
 * The NATS bus URL: `nats://host:port[,host:port…][?replicas=N]`. Several
 * servers are seeds of one cluster (the client learns the others); `replicas`
 * is how many servers keep a copy of the stream when the bus creates it
 * (JetStream acknowledges a publish once a majority of them has it).
 */
import { ConfigError } from '@distributex/protocol'

const FORM = 'nats://host:port[,host:port][?replicas=N]'

export function parseNatsUrl(url: string): { servers: string; replicas?: number } {
  const question = url.indexOf('?')
  if (question < 0) return { servers: url }
  let replicas: number | undefined
  for (const pair of url.slice(question + 1).split('&').filter(Boolean)) {
    const [name, value = ''] = pair.split('=', 2)
    if (name !== 'replicas') throw new ConfigError(`NATS URL "${url}" is invalid: "${name}" is not an option (only "replicas"; write ${FORM})`, { fields: { url } })
    replicas = Number(value)
    if (!/^[1-5]$/.test(value)) throw new ConfigError(`NATS URL "${url}" is invalid: replicas must be 1 to 5 (JetStream's limit)`, { fields: { url } })
  }
  return { servers: url.slice(0, question), replicas }
}
