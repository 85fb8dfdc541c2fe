/**
 * @module admin-access
 * Who may open the admin page (`/_dx/admin`, `.json`): it lists service
 * addresses and traffic, which is for operators. With `DX_ADMIN_PASSWORD` set,
 * HTTP Basic authentication (any user name, that password) from anywhere;
 * without it, only requests from this machine (the embedded quick start).
 */
import { timingSafeEqual, createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

function samePassword(given: string, expected: string): boolean {
  // Hashed first, so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

function basicPassword(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon >= 0 ? decoded.slice(colon + 1) : undefined
}

/** A preHandler that answers 401/403 with what to do, or lets the request through. */
export function adminAccess(password: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (password) {
      const given = basicPassword(request.headers.authorization)
      if (given !== undefined && samePassword(given, password)) return
      await reply
        .code(401)
        .header('www-authenticate', 'Basic realm="distributex admin", charset="UTF-8"')
        .type('text/plain; charset=utf-8')
        .send('The admin page needs the password set in DX_ADMIN_PASSWORD (any user name).\n')
      return
    }
    if (LOOPBACK.has(request.socket.remoteAddress ?? '')) return
    await reply
      .code(403)
      .type('text/plain; charset=utf-8')
      .send('The admin page answers only on this machine. To open it from elsewhere, start the gateway with DX_ADMIN_PASSWORD set.\n')
  }
}
