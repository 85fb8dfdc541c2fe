/**
 * @module network-matrix
 * Who may open a connection to whom: the one statement of the network policy
 * that compose's networks and the Kubernetes NetworkPolicies both implement,
 * and that the tests check each of them against (compose by reading its
 * networks and by connecting from inside every container, Kubernetes by
 * evaluating the policy objects).
 */

/** A kind of workload: `lb` is the load balancer (Kubernetes: the ingress controller). */
export type Part = 'lb' | 'gateway' | 'todo' | 'chat' | 'news' | 'polls' | 'bounties' | 'identity' | 'ledger' | 'redis' | 'postgres'

export const PARTS: readonly Part[] = ['lb', 'gateway', 'todo', 'chat', 'news', 'polls', 'bounties', 'identity', 'ledger', 'redis', 'postgres']

/** The port each part listens on, inside compose and Kubernetes alike (the Ledger: gRPC). */
export const PORTS: Record<Part, number> = { lb: 8080, gateway: 8080, todo: 8080, chat: 8080, news: 8080, polls: 8080, bounties: 8080, identity: 8080, ledger: 8080, redis: 6379, postgres: 5432 }

/** Services the gateway routes to. */
const ROUTED = ['todo', 'chat', 'news', 'polls', 'bounties', 'identity'] as const
/** Services on the bus. */
const BUS_SERVICES = ['todo', 'chat', 'news', 'bounties', 'identity'] as const
/** Parts with tables in the database. */
const DATABASE_USERS = ['todo', 'chat', 'news', 'bounties', 'identity', 'ledger'] as const

/** Every allowed connection, `from → to` on `to`'s port. */
export const ALLOWED: ReadonlyArray<readonly [Part, Part]> = [
  ['lb', 'gateway'],
  ...ROUTED.map((service) => ['gateway', service] as const),
  ['gateway', 'redis'],
  ...BUS_SERVICES.map((service) => [service, 'redis'] as const),
  ...DATABASE_USERS.map((part) => [part, 'postgres'] as const),
  // Polls has no broker client: it publishes its stream actions through a gateway (protocol §10).
  ['polls', 'gateway'],
  // The Ledger is internal: Bounties is its only caller (gRPC, with its signed credential).
  ['bounties', 'ledger'],
]

/** Parts that may reach the internet, on 443 only (Hacker News; the GitHub API). */
export const INTERNET_EGRESS: readonly Part[] = ['news', 'bounties', 'identity']

/** Whether `from` may connect to `to`. */
export function allowed(from: Part, to: Part): boolean {
  return ALLOWED.some(([a, b]) => a === from && b === to)
}

/**
 * Whether `from` can connect to `to` on a compose network. Docker networks have no
 * direction: two containers on one network reach each other's ports both ways, so
 * compose holds the matrix's symmetric closure (e.g. Redis could open a connection
 * to a service that uses it). Kubernetes holds the matrix itself, with direction.
 */
export function allowedOnComposeNetworks(from: Part, to: Part): boolean {
  return allowed(from, to) || allowed(to, from)
}

export interface MatrixRow {
  readonly from: Part
  readonly to: Part
  readonly allowed: boolean
}

/** Every ordered pair of different parts with the expected answer (`symmetric`: compose networks). */
export function expectedMatrix({ symmetric = false } = {}): MatrixRow[] {
  const rule = symmetric ? allowedOnComposeNetworks : allowed
  return PARTS.flatMap((from) => PARTS.filter((to) => to !== from).map((to) => ({ from, to, allowed: rule(from, to) })))
}

/** The part a compose service or container runs (`gateway-2` → `gateway`), or undefined for a container only the tests run (the Hacker News stand-in). */
export function partOf(service: string): Part | undefined {
  const part = service.replace(/-\d+$/, '')
  return (PARTS as readonly string[]).includes(part) ? (part as Part) : undefined
}
