/**
 * @module membership
 * Heartbeats: every service and gateway process announces itself on the bus
 * topic `dx.members` every second; one silent past the deadline is gone.
 */
import { z } from 'zod'

export const MEMBERS_TOPIC = 'dx.members'
export const HEARTBEAT_INTERVAL_MS = 1000
/** Silent this long, a process is considered gone (three missed beats). */
export const HEARTBEAT_DEADLINE_MS = 3500

export const MemberSchema = z.object({
  kind: z.enum(['service', 'gateway']),
  name: z.string().min(1).max(64),
  /** One id per process: two processes of a service are two members. */
  instance: z.string().min(1).max(64),
  version: z.string().max(64).optional(),
  /** Live connections, for gateways. */
  connections: z.number().int().nonnegative().optional(),
  /** `leaving` is sent once on a clean shutdown, so others need not wait for the deadline. */
  state: z.enum(['alive', 'leaving']).default('alive'),
})

export type Member = z.infer<typeof MemberSchema>
