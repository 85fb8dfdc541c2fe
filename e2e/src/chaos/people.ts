/**
 * @module people
 * People of the chaos suite, as browsers are to the gateway: a session cookie,
 * a nickname and a chat room, and form posts sent the way htmx sends them
 * (same origin, `hx-request`), each with an `Idempotency-Key`.
 */
import { randomBytes } from 'node:crypto'
import { sessionCookieFor } from '@distributex/gateway'

/** A new browser session, signed as the gateway signs its cookies (an unsigned one would be replaced on every request). */
export function newSession(secret: string): string {
  return sessionCookieFor(secret, randomBytes(16).toString('base64url'))
}

/** A form post the app took: answered 2xx, or a redirect (the 303 after a form is saved). An error status is not. */
export function wasAccepted(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 400
}

/** Posts a form through the gateway as htmx does; never throws (a network failure is `undefined`). */
export async function postForm(gateway: string, cookie: string, path: string, form: Record<string, string>, options: { key?: string; timeoutMs?: number } = {}): Promise<Response | undefined> {
  const answer = await tryPostForm(gateway, cookie, path, form, options)
  return typeof answer === 'string' ? undefined : answer
}

/** Network errors a browser answers by sending the request again: the connection was refused, or a kept-alive one was closed under it. */
const RESENT = new Map<unknown, 'refused' | 'reset'>([
  ['ECONNREFUSED', 'refused'],
  ['ECONNRESET', 'reset'],
  ['UND_ERR_SOCKET', 'reset'],
])

/**
 * As `postForm`, but tells apart a refused connection (nothing was sent: the
 * gateway is not listening, a load balancer goes to another) and a connection
 * closed before any answer (a gateway stopping just as a kept-alive connection
 * was reused: browsers send the request again, and its Idempotency-Key keeps a
 * second copy from being stored).
 */
export async function tryPostForm(gateway: string, cookie: string, path: string, form: Record<string, string>, options: { key?: string; timeoutMs?: number } = {}): Promise<Response | 'refused' | 'reset' | undefined> {
  return fetch(`${gateway}${path}`, {
    method: 'POST',
    headers: {
      cookie,
      origin: gateway,
      'content-type': 'application/x-www-form-urlencoded',
      'hx-request': 'true',
      ...(options.key ? { 'idempotency-key': options.key } : {}),
    },
    body: new URLSearchParams(form),
    redirect: 'manual',
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  }).catch((error: unknown) => RESENT.get((error as { cause?: { code?: unknown } }).cause?.code))
}

/** The session cookie a browser would hold after `answer`: the gateway rotates it when a person takes a nickname. */
function followSession(cookie: string, answer: Response): string {
  const session = answer.headers.getSetCookie().find((line) => /^(__Host-)?dx_sid=/.test(line))
  return session ? (session.split(';')[0] ?? cookie) : cookie
}

/** Posts a setup form (30 s each try); one that got no answer at all is tried again, up to 3 times. Returns the cookie to use next. */
async function must(gateway: string, cookie: string, path: string, form: Record<string, string>, what: string, retry = true): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const answer = await postForm(gateway, cookie, path, form, { timeoutMs: 30_000 })
    const body = await answer?.text()
    if (answer?.ok) return followSession(cookie, answer)
    if (answer || !retry || attempt === 3) throw new Error(`${what}: ${answer ? `${answer.status} ${body?.slice(0, 200)}` : 'no answer'}`)
  }
}

/** Picks a nickname and joins (`create`: creates) the room `name`; returns the room's slug and the session cookie as rotated by the gateway. */
export async function joinRoom(gateway: string, cookie: string, nickname: string, name: string, create: boolean): Promise<{ slug: string; cookie: string }> {
  let current = await must(gateway, cookie, '/chat/nickname', { nickname }, `nickname ${nickname}`)
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-')
  // Creating is not repeated: a second try would find the room taken.
  if (create) current = await must(gateway, current, '/chat/rooms', { name }, `create room ${name}`, false)
  else current = await must(gateway, current, `/chat/rooms/${slug}/join`, {}, `join ${slug}`)
  return { slug, cookie: current }
}
