/**
 * @module network-matrix
 * Who may open a connection to whom: the one statement of the network policy
 * that compose's networks and the Kubernetes NetworkPolicies both implement,
 * and that the tests check each of them against (compose by connecting from
 * inside the containers, Kubernetes by evaluating the policy objects).
 *
 * Bounties and the Ledger join as the rows `bounties → ledger` (and nothing
 * else → ledger) when those services exist: see docs/deploy.md.
 */

/** A kind of workload: `lb` is the load balancer (Kubernetes: the ingress controller). */
export type Part = 'lb' | 'gateway' | 'todo' | 'chat' | 'news' | 'polls' | 'redis' | 'postgres'

export const PARTS: readonly Part[] = ['lb', 'gateway', 'todo', 'chat', 'news', 'polls', 'redis', 'postgres']

/** The port each part listens on, inside compose and Kubernetes alike. */
export const PORTS: Record<Part, number> = { lb: 8080, gateway: 8080, todo: 8080, chat: 8080, news: 8080, polls: 8080, redis: 6379, postgres: 5432 }

/** Services on the bus and in the database. */
const BUS_SERVICES = ['todo', 'chat', 'news'] as const

/** Every allowed connection, `from → to` on `to`'s port. */
export const ALLOWED: ReadonlyArray<readonly [Part, Part]> = [
  ['lb', 'gateway'],
  ['gateway', 'todo'],
  ['gateway', 'chat'],
  ['gateway', 'news'],
  ['gateway', 'polls'],
  ['gateway', 'redis'],
  ...BUS_SERVICES.map((service) => [service, 'redis'] as const),
  ...BUS_SERVICES.map((service) => [service, 'postgres'] as const),
  // Polls has no broker client: it publishes its stream actions through a gateway (protocol §10).
  ['polls', 'gateway'],
]

/** Parts that may reach the internet, on 443 only. */
export const INTERNET_EGRESS: readonly Part[] = ['news']

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

/** Every ordered pair of different parts with the expected answer (`symmetric`: compose networks). */
export function expectedMatrix({ symmetric = false } = {}): Array<{ from: Part; to: Part; allowed: boolean }> {
  const rule = symmetric ? allowedOnComposeNetworks : allowed
  return PARTS.flatMap((from) => PARTS.filter((to) => to !== from).map((to) => ({ from, to, allowed: rule(from, to) })))
}
