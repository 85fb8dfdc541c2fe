import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import { adminAccess } from './admin-access.js'

function appWith(password: string | undefined) {
  const app = Fastify()
  app.get('/_dx/admin', { preHandler: adminAccess(password) }, async () => 'services')
  return app
}

const basic = (password: string) => `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`

test('admin access - without a password, the admin page answers on this machine only, and says how to open it elsewhere', async (t) => {
  const app = appWith(undefined)
  t.after(() => app.close())
  assert.equal((await app.inject({ url: '/_dx/admin', remoteAddress: '127.0.0.1' })).statusCode, 200)
  const remote = await app.inject({ url: '/_dx/admin', remoteAddress: '10.1.2.3' })
  assert.equal(remote.statusCode, 403)
  assert.match(remote.body, /DX_ADMIN_PASSWORD/)
})

test('admin access - with DX_ADMIN_PASSWORD, the right password opens it from anywhere; none or a wrong one gets 401 with a prompt', async (t) => {
  const app = appWith('correct horse')
  t.after(() => app.close())
  const none = await app.inject({ url: '/_dx/admin', remoteAddress: '127.0.0.1' })
  assert.equal(none.statusCode, 401)
  assert.match(String(none.headers['www-authenticate']), /^Basic realm="distributex admin"/)
  assert.equal((await app.inject({ url: '/_dx/admin', remoteAddress: '10.1.2.3', headers: { authorization: basic('wrong') } })).statusCode, 401)
  const right = await app.inject({ url: '/_dx/admin', remoteAddress: '10.1.2.3', headers: { authorization: basic('correct horse') } })
  assert.deepEqual({ status: right.statusCode, body: right.body }, { status: 200, body: 'services' })
})
