/**
 * @module compose-networks
 * Which compose services can reach which, read from the compose files
 * themselves: two containers reach each other (both ways) when they share a
 * network. Lets a test check compose.yaml against the network matrix without a
 * Docker engine; the deploy test then checks the running containers.
 */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

interface ComposeService {
  networks?: string[] | Record<string, unknown>
  ports?: unknown[]
}

interface ComposeFile {
  services?: Record<string, ComposeService>
  networks?: Record<string, { internal?: boolean } | null>
}

export interface ComposeNetworks {
  /** Each service's networks. */
  readonly services: Map<string, Set<string>>
  /** Each network, and whether it is `internal` (no way out). */
  readonly networks: Map<string, { internal: boolean }>
  /** Services that publish a port on the host. */
  readonly publishing: string[]
}

function networkNames(service: ComposeService | undefined): string[] | undefined {
  if (!service?.networks) return undefined
  return Array.isArray(service.networks) ? service.networks : Object.keys(service.networks)
}

/** Reads `files` in order, a later file overriding a service's networks and a network's settings, as compose merges them. */
export function readComposeNetworks(files: readonly string[]): ComposeNetworks {
  const services = new Map<string, Set<string>>()
  const networks = new Map<string, { internal: boolean }>()
  const publishing = new Set<string>()
  for (const file of files) {
    const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile
    for (const [name, service] of Object.entries(compose.services ?? {})) {
      const names = networkNames(service)
      if (names) services.set(name, new Set(names))
      else if (!services.has(name)) services.set(name, new Set(['default']))
      if (service.ports?.length) publishing.add(name)
    }
    for (const [name, settings] of Object.entries(compose.networks ?? {})) {
      const internal = settings?.internal ?? networks.get(name)?.internal ?? false
      networks.set(name, { internal })
    }
  }
  return { services, networks, publishing: [...publishing] }
}

/** Whether services `a` and `b` share a network (so each reaches the other). */
export function shareNetwork(compose: ComposeNetworks, a: string, b: string): boolean {
  const mine = compose.services.get(a)
  const theirs = compose.services.get(b)
  return !!mine && !!theirs && [...mine].some((network) => theirs.has(network))
}
