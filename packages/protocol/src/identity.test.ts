import { test } from 'node:test'
import assert from 'node:assert/strict'
import { signIdentity, verifyIdentity } from './identity.js'
import { IdentityError } from './errors.js'

const secret = 'x'.repeat(40)

test('identity - a signed identity verifies and round-trips the person', () => {
  const token = signIdentity(secret, { sub: 'anon:abc', sid: 'abc', name: 'Ada' })
  const identity = verifyIdentity(secret, token)
  assert.equal(identity.sub, 'anon:abc')
  assert.equal(identity.name, 'Ada')
})

test('identity - a token signed with another secret is refused', () => {
  const token = signIdentity('y'.repeat(40), { sub: 'anon:abc', sid: 'abc' })
  assert.throws(() => verifyIdentity(secret, token), IdentityError)
})

test('identity - a tampered payload is refused', () => {
  const token = signIdentity(secret, { sub: 'anon:abc', sid: 'abc' })
  const [, signature] = token.split('.')
  const forged = `${Buffer.from(JSON.stringify({ sub: 'admin', sid: 'abc', iat: 0, exp: 9e9 })).toString('base64url')}.${signature}`
  assert.throws(() => verifyIdentity(secret, forged), /signature does not match/)
})

test('identity - an expired identity is refused', () => {
  const token = signIdentity(secret, { sub: 'anon:abc', sid: 'abc' }, Date.now() - 3600_000)
  assert.throws(() => verifyIdentity(secret, token), /expired/)
})

test('identity - garbage is refused with a clear error', () => {
  assert.throws(() => verifyIdentity(secret, 'not-a-token'), /<payload>.<signature>/)
})
