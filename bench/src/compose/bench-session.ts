/**
 * @module bench-session
 * The bench gateway's fixed secret and a returning browser's session cookie
 * signed with it: session cookies are signed, so a made-up one would be a new
 * session on every request and the "with a session cookie" run would measure
 * cookie issuing instead.
 */
import { sessionCookieFor } from '@distributex/gateway'

export const BENCH_SECRET = 'b'.repeat(48)

export function benchSessionCookie(): string {
  return sessionCookieFor(BENCH_SECRET, 'benchbenchbenchbench12')
}
