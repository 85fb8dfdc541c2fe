/**
 * @module faults
 * Fault injection, for rehearsing failure (docs/operations.md, Fault
 * injection): what an operator may switch on for a service process, the
 * endpoint the gateway sets it through, and the credential that proves a
 * request comes from the gateway. Never on by default: a process starts with
 * no faults and forgets them when it restarts.
 */
import { z } from 'zod'
import { faultsCredential, sameCredential } from './credentials.js'

/** Where a service process takes its faults: `PUT` sets them, `GET` reads them. */
export const FAULTS_PATH = '/_dx/faults'

const rate = z.number().min(0).max(1)
const ms = z.number().int().min(0).max(60_000)

export const FaultsSchema = z.strictObject({
  /** Added before each request under the mount is handled. */
  latencyMs: ms.default(0),
  /** Share of requests under the mount answered with `errorStatus` instead (0–1). */
  errorRate: rate.default(0),
  errorStatus: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(503),
  /** Share of bus publishes that fail as if the broker refused them (0–1); heartbeats are spared. */
  publishDropRate: rate.default(0),
  /** Added before each bus publish. */
  publishDelayMs: ms.default(0),
  /** Added before each message the process consumes from the bus is handled (a slow consumer). */
  consumerDelayMs: ms.default(0),
})

export type Faults = z.infer<typeof FaultsSchema>
export type FaultsInput = z.input<typeof FaultsSchema>

/** No fault at all. */
export const NO_FAULTS: Faults = FaultsSchema.parse({})

/** True when `faults` injects anything. */
export function hasFaults(faults: Faults): boolean {
  return faults.latencyMs > 0 || faults.errorRate > 0 || faults.publishDropRate > 0 || faults.publishDelayMs > 0 || faults.consumerDelayMs > 0
}

/** True when `header` carries the fault credential for `service`. */
export function checkFaultsCredential(secret: string, service: string, header: string | undefined): boolean {
  return sameCredential(header?.startsWith('Bearer ') ? header.slice(7) : '', faultsCredential(secret, service))
}
