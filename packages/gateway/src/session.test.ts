import { test } from 'node:test'
import assert from 'node:assert/strict'
import { clearedSessionCookie, decodeSession, encodeSession, newSession, readSession, rotateSession, sessionCookie, withoutSessionCookie, type SessionPolicy } from './session.js'

const HOUR = 3_600_000
const revoked = new Set<string>()
const policy: SessionPolicy = { secret: 's'.repeat(48), idleMs: 2 * HOUR, absoluteMs: 24 * HOUR, isRevoked: (token) => revoked.has(token) }

test('session - a signed cookie comes back as the same session; forged, tampered, idle, too old or revoked ones do not', () => {
  const now = Date.now()
  const session = newSession(now - HOUR)
  const value = encodeSession(session, policy.secret)
  assert.equal(decodeSession(value, policy, now)?.id, session.id)
  assert.equal(decodeSession(encodeSession(session, 'another secret of enough length!!'), policy, now), undefined, 'signed with another key')
  assert.equal(decodeSession(value.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), policy, now), undefined, 'another session id under the same signature')
  assert.equal(decodeSession(value, policy, now + 2 * HOUR), undefined, 'unused for longer than the idle time')
  const busy = { ...session, issuedAt: now - 25 * HOUR, seenAt: now - 60_000 }
  assert.equal(decodeSession(encodeSession(busy, policy.secret), policy, now), undefined, 'older than the absolute lifetime, however busy')
  revoked.add(session.token)
  assert.equal(decodeSession(value, policy, now), undefined, 'revoked')
  assert.equal(readSession({ dx_sid: value }, policy, false, now).fresh, true, 'a refused cookie means a new session')
})

test('session - the idle clock is renewed now and then, rotation keeps the id, and cookies follow the __Host- rules over https', () => {
  const now = Date.now()
  const session = newSession(now)
  const soon = decodeSession(encodeSession(session, policy.secret), policy, now + 60_000)
  assert.equal(soon?.renew, false, 'a minute later: no new cookie')
  const later = decodeSession(encodeSession(session, policy.secret), policy, now + 10 * 60_000)
  assert.equal(later?.renew, true, 'past a twentieth of the idle time: a new cookie with the new time')
  const rotated = rotateSession(session, now)
  assert.equal(rotated.id, session.id)
  assert.notEqual(rotated.token, session.token)
  assert.match(sessionCookie(session, policy, true, now), /^__Host-dx_sid=[^;]+; Path=\/; Max-Age=7200; HttpOnly; SameSite=Lax; Secure$/)
  assert.match(sessionCookie(session, policy, false, now + 23 * HOUR), /^dx_sid=[^;]+; Path=\/; Max-Age=3600; HttpOnly; SameSite=Lax$/, 'never past the absolute end')
  assert.equal(readSession({ dx_sid: encodeSession(session, policy.secret) }, policy, true, now).fresh, true, 'over https only the __Host- cookie counts')
  assert.equal(clearedSessionCookie(true), '__Host-dx_sid=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure')
  assert.equal(withoutSessionCookie('a=1; dx_sid=x; __Host-dx_sid=y; b=2'), 'a=1; b=2')
})
