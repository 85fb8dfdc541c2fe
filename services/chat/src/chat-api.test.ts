import { test } from 'node:test'
import assert from 'node:assert/strict'
import { signIdentity } from '@distributex/protocol'
import { openStore } from '@distributex/store'
import { migrations, type ChatDatabase } from './index.js'
import { buildChat, SECRET } from './chat-test-kit.js'
import SwaggerParser from '@apidevtools/swagger-parser'
import type { OpenAPIV3_1 } from 'openapi-types'
import { newSessionToken } from './chat-person.js'

type Json = Record<string, unknown> & { error?: string; code?: string; message?: string; field?: string }

async function api(t: Parameters<typeof buildChat>[0], options: Parameters<typeof buildChat>[1] = {}) {
  const chat = await buildChat(t, options)
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, options: { token?: string; body?: unknown } = {}) => {
    const response = await chat.app.inject({
      method,
      url,
      headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}),
    })
    return { status: response.statusCode, json: (response.body ? response.json() : {}) as Json, headers: response.headers }
  }
  const register = async (nickname: string) => {
    const { status, json } = await call('POST', '/chat/api/sessions', { body: { nickname } })
    assert.equal(status, 201, JSON.stringify(json))
    return json.token as string
  }
  return { ...chat, call, register }
}

test('chat api - register, create and join rooms, post and read with a cursor', async (t) => {
  const chat = await api(t)
  const { call, register, published } = chat
  const bot = await register('HelperBot')
  assert.equal((await call('POST', '/chat/api/sessions', { body: { nickname: 'helperbot' } })).status, 409, 'nicknames are unique among people online')
  assert.equal((await call('GET', '/chat/api/rooms')).status, 401)
  assert.match((await call('GET', '/chat/api/rooms', { token: 'forged.token' })).json.message ?? '', /authorization: Bearer <token>/)
  // Through the gateway a bot also carries a (new, anonymous) identity: its token still says who it is.
  const viaGateway = await chat.app.inject({ method: 'POST', url: '/chat/api/ping', headers: { authorization: `Bearer ${bot}`, 'x-dx-identity': signIdentity(SECRET, { sub: 'anon:fresh', sid: 'fresh' }) } })
  assert.equal(viaGateway.json().nickname, 'HelperBot')
  const forged = await chat.app.inject({ method: 'POST', url: '/chat/api/ping', headers: { authorization: `Bearer ${bot.split('.')[0]}.forged`, 'x-dx-identity': signIdentity(SECRET, { sub: 'anon:fresh', sid: 'fresh' }) } })
  assert.deepEqual([forged.statusCode, forged.json().code], [401, 'DX_CHAT_UNAUTHORIZED'], 'a token that does not verify is refused, not taken as a new anonymous person')

  const created = await call('POST', '/chat/api/rooms', { token: bot, body: { name: 'Bots & Friends' } })
  assert.equal(created.status, 201)
  assert.deepEqual([created.json.slug, created.json.members], ['bots-friends', 1], 'the creator is in it')
  assert.equal((await call('POST', '/chat/api/rooms', { token: bot, body: { name: 'bots friends' } })).status, 409)
  const rooms = await call('GET', '/chat/api/rooms', { token: bot })
  assert.deepEqual((rooms.json.rooms as { slug: string }[]).map((r) => r.slug), ['bots-friends'])

  const first = await call('POST', '/chat/api/rooms/bots-friends/messages', { token: bot, body: { text: 'beep', clientId: 'b-1' } })
  assert.equal(first.status, 201)
  const retry = await call('POST', '/chat/api/rooms/bots-friends/messages', { token: bot, body: { text: 'beep', clientId: 'b-1' } })
  assert.equal(retry.status, 200, 'a retried send answers the stored message')
  assert.equal(retry.json.id, first.json.id)
  // An Idempotency-Key header does the same as a clientId, so the gateway may send the request twice.
  const keyed = async () =>
    chat.app.inject({ method: 'POST', url: '/chat/api/rooms/bots-friends/messages', headers: { authorization: `Bearer ${bot}`, 'content-type': 'application/json', 'idempotency-key': '"8e03978e-40d5-43e8-bc93-6894a57f9324"' }, payload: '{"text":"boop"}' })
  const [once, twice] = [await keyed(), await keyed()]
  assert.deepEqual([once.statusCode, twice.statusCode], [201, 200])
  assert.equal(twice.json().id, once.json().id)
  await call('DELETE', `/chat/api/messages/${String(once.json().id)}`, { token: bot })

  const page = await call('GET', '/chat/api/rooms/bots-friends/messages', { token: bot })
  const messages = page.json.messages as { kind: string; text: string; author: string }[]
  assert.deepEqual(
    messages.map((m) => [m.kind, m.author, m.text]),
    [
      ['line', 'HelperBot', 'joined'],
      ['text', 'HelperBot', 'beep'],
    ],
  )
  const next = page.json.next as string
  await call('POST', '/chat/api/rooms/bots-friends/messages', { token: bot, body: { text: 'boop' } })
  const since = await call('GET', `/chat/api/rooms/bots-friends/messages?after=${next}`, { token: bot })
  assert.deepEqual((since.json.messages as { text: string }[]).map((m) => m.text), ['boop'], 'after a cursor: only what is new')
  const empty = await call('GET', `/chat/api/rooms/bots-friends/messages?after=${since.json.next as string}`, { token: bot })
  assert.deepEqual(empty.json.messages, [])
  assert.equal((await call('GET', '/chat/api/rooms/bots-friends/messages?after=nonsense', { token: bot })).status, 422)
  assert.equal((await call('GET', '/chat/api/rooms/bots-friends/messages?limit=500', { token: bot })).json.message, 'limit must be at most 200')
  assert.equal((await call('GET', '/chat/api/rooms/nowhere/messages', { token: bot })).status, 404)

  const live = await published('chat:room:bots-friends')
  assert.equal(live.filter((a) => a.action === 'append' && a.html?.includes('beep')).length, 1, 'the retry publishes nothing: the first send committed its update with it')
})

test('chat api - a poller starting from the first page misses no message stored late by another process', async (t) => {
  const { call, register, dataDir } = await api(t, { env: { DX_CHAT_API_SETTLE_MS: '400' } })
  const settle = () => new Promise((resolve) => setTimeout(resolve, 500))
  const bot = await register('Poller')
  await call('POST', '/chat/api/rooms', { token: bot, body: { name: 'Lobby' } })
  await settle()
  const fresh = await call('POST', '/chat/api/rooms/lobby/messages', { token: bot, body: { text: 'stamped second, stored first' } })
  const first = await call('GET', '/chat/api/rooms/lobby/messages', { token: bot })
  assert.deepEqual((first.json.messages as { text: string }[]).map((m) => m.text), ['joined'], 'the first page hands only settled messages')
  // Another chat process stamped its message a moment earlier and stores it only now.
  const other = await openStore<ChatDatabase>({ service: 'chat', migrations, dataDir })
  const stamp = new Date(Date.parse(fresh.json.createdAt as string) - 1).toISOString()
  await other.db.insertInto('messages').values({ id: 'late-1', room: 'lobby', kind: 'text', author_id: 'p_other', author_name: 'Other', recipient_id: null, recipient_name: null, body: 'stamped first, stored second', link_url: null, client_id: null, created_at: stamp, edited_at: null }).execute()
  await other.close()
  await settle()
  const since = await call('GET', `/chat/api/rooms/lobby/messages?after=${first.json.next as string}`, { token: bot })
  assert.deepEqual((since.json.messages as { text: string }[]).map((m) => m.text), ['stamped first, stored second', 'stamped second, stored first'])
})

test('chat api - older pages, edits, deletes, private messages, limits and clear errors', async (t) => {
  const chat = await api(t)
  const { call, register } = chat
  const ada = await register('Ada')
  const bob = await register('Bob')
  await call('POST', '/chat/api/rooms', { token: ada, body: { name: 'Lobby' } })
  assert.equal((await call('POST', '/chat/api/rooms/lobby/join', { token: bob })).json.members, 2)

  const bad = await call('POST', '/chat/api/rooms/lobby/messages', { token: ada, body: { text: 'x'.repeat(2001) } })
  assert.equal(bad.status, 422)
  assert.deepEqual({ ...bad.json, requestId: undefined }, { error: 'Invalid input', code: 'DX_VALIDATION', message: 'That message is 2001 characters long; the limit is 2000. Shorten it by 1.', field: 'text', requestId: undefined }, 'the protocol’s error shape')
  assert.equal((await call('POST', '/chat/api/rooms/lobby/messages', { token: ada, body: ['not', 'an', 'object'] })).status, 422)
  const broken = await chat.app.inject({ method: 'POST', url: '/chat/api/rooms/lobby/messages', headers: { authorization: `Bearer ${ada}`, 'content-type': 'application/json' }, payload: '{"text": "unfinished' })
  assert.equal(broken.statusCode, 422)
  assert.match(String(broken.headers['content-type']), /^application\/json/, 'a bot that sent broken JSON gets JSON back, not an HTML page')
  assert.deepEqual([broken.json().code, broken.json().field], ['DX_VALIDATION', 'body'])
  assert.match(broken.json().message, /not valid JSON/)
  assert.equal((await call('POST', '/chat/api/rooms/lobby/messages', { token: ada, body: { text: 'hi', clientId: 'has spaces' } })).json.field, 'clientId')

  for (let i = 1; i <= 10; i++) assert.equal((await call('POST', '/chat/api/rooms/lobby/messages', { token: ada, body: { text: `a${i}` } })).status, 201)
  const flooded = await call('POST', '/chat/api/rooms/lobby/messages', { token: ada, body: { text: 'a11' } })
  assert.equal(flooded.status, 429)
  assert.equal(flooded.json.code, 'DX_CHAT_RATE_LIMITED')
  assert.ok(Number(flooded.headers['retry-after']) >= 1)

  const newest = await call('GET', '/chat/api/rooms/lobby/messages?limit=4', { token: bob })
  assert.deepEqual((newest.json.messages as { text: string }[]).map((m) => m.text), ['a7', 'a8', 'a9', 'a10'])
  const older = await call('GET', `/chat/api/rooms/lobby/messages?limit=4&before=${newest.json.older as string}`, { token: bob })
  assert.deepEqual((older.json.messages as { text: string }[]).map((m) => m.text), ['a3', 'a4', 'a5', 'a6'])

  const id = (newest.json.messages as { id: string }[])[3]?.id ?? ''
  assert.equal((await call('PATCH', `/chat/api/messages/${id}`, { token: bob, body: { text: 'mine now' } })).status, 403)
  const edited = await call('PATCH', `/chat/api/messages/${id}`, { token: ada, body: { text: 'a10, edited' } })
  assert.deepEqual([edited.status, edited.json.text, typeof edited.json.editedAt], [200, 'a10, edited', 'string'])
  assert.equal((await call('DELETE', `/chat/api/messages/${id}`, { token: bob })).status, 403)
  assert.equal((await call('DELETE', `/chat/api/messages/${id}`, { token: ada })).status, 204)
  assert.equal((await call('PATCH', `/chat/api/messages/${id}`, { token: ada, body: { text: 'x' } })).status, 404)

  const sent = await call('POST', '/chat/api/private', { token: bob, body: { to: 'ada', text: 'psst' } })
  assert.deepEqual([sent.status, sent.json.to, sent.json.room], [201, 'Ada', null])
  assert.deepEqual(((await call('GET', '/chat/api/private', { token: ada })).json.messages as { text: string }[]).map((m) => m.text), ['psst'])
  assert.equal((await call('POST', '/chat/api/private', { token: bob, body: { to: 'Zed', text: 'hello?' } })).status, 404)
  const toSelf = await call('POST', '/chat/api/private', { token: bob, body: { to: 'BOB', text: 'note to self' } })
  assert.deepEqual([toSelf.status, toSelf.json.code, toSelf.json.field], [422, 'DX_VALIDATION', 'to'], 'writing to oneself is bad input, not a missing person')

  const renamed = await call('POST', '/chat/api/nickname', { token: bob, body: { nickname: 'Robert' } })
  assert.equal(renamed.json.nickname, 'Robert')
  const lines = ((await call('GET', '/chat/api/rooms/lobby/messages', { token: ada })).json.messages as { kind: string; author: string; text: string }[]).filter((m) => m.kind === 'line')
  assert.deepEqual(lines.at(-1), { ...lines.at(-1), author: 'Bob', text: 'is now known as Robert' }, 'a new nickname is announced in the rooms the person is in')
  assert.deepEqual((await call('POST', '/chat/api/ping', { token: bob })).json, { nickname: 'Robert', room: 'lobby', onlineForSeconds: 90 })
  await call('POST', '/chat/api/rooms', { token: ada, body: { name: 'Kitchen' } })
  await call('POST', '/chat/api/rooms/kitchen/join', { token: bob })
  assert.equal((await call('POST', '/chat/api/rooms/lobby/leave', { token: bob })).status, 204)
  assert.equal((await call('POST', '/chat/api/ping', { token: bob })).json.room, 'kitchen', 'leaving another room keeps the open one')
  await call('POST', '/chat/api/rooms/kitchen/leave', { token: bob })
  assert.equal((await call('POST', '/chat/api/ping', { token: bob })).json.room, null)
  await call('POST', '/chat/api/rooms/lobby/join', { token: bob })
  assert.equal((await call('POST', '/chat/api/rooms/lobby/leave', { token: bob })).status, 204)
  assert.equal(((await call('GET', '/chat/api/rooms', { token: ada })).json.rooms as { members: number }[])[0]?.members, 1)
})

test('chat api - the OpenAPI document is served and describes every API route', async (t) => {
  const { app, call } = await api(t)
  const served = await call('GET', '/chat/api/openapi.json')
  assert.equal(served.status, 200)
  assert.equal(served.json.openapi, '3.1.0')
  // A valid OpenAPI 3.1 document: the parser checks it against the specification's schema and resolves every $ref.
  const document = structuredClone(served.json) as unknown as OpenAPIV3_1.Document
  await SwaggerParser.validate(document)
  const described = new Set(Object.entries(served.json.paths as Record<string, object>).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`)))
  for (const route of ['POST /chat/api/sessions', 'POST /chat/api/nickname', 'POST /chat/api/ping', 'GET /chat/api/rooms', 'POST /chat/api/rooms', 'POST /chat/api/rooms/{slug}/join', 'POST /chat/api/rooms/{slug}/leave', 'GET /chat/api/rooms/{slug}/messages', 'POST /chat/api/rooms/{slug}/messages', 'PATCH /chat/api/messages/{id}', 'DELETE /chat/api/messages/{id}', 'GET /chat/api/private', 'POST /chat/api/private']) {
    assert.ok(described.has(route), `${route} is described`)
    const [method, path] = route.split(' ')
    assert.ok(app.hasRoute({ method: method as 'GET', url: (path ?? '').replace(/\{(\w+)\}/g, ':$1') }), `${route} is served`)
  }
  for (const route of described) {
    const [method, path] = route.split(' ')
    assert.ok(app.hasRoute({ method: method as 'GET', url: (path ?? '').replace(/\{(\w+)\}/g, ':$1') }), `${route} is described and served`)
  }
})

test('chat api - tokens expire, their owner lists and revokes them, and a revoked or expired one is refused everywhere', async (t) => {
  const { call, app } = await api(t)
  const registered = await call('POST', '/chat/api/sessions', { body: { nickname: 'Tokenish', expiresInDays: 2 } })
  assert.equal(registered.status, 201)
  const first = registered.json.token as string
  const expiresIn = Date.parse(registered.json.expiresAt as string) - Date.now()
  assert.ok(expiresIn > 47 * 3600_000 && expiresIn <= 48 * 3600_000, `expires in two days, got ${registered.json.expiresAt}`)
  assert.equal((await call('POST', '/chat/api/sessions', { body: { nickname: 'Forever', expiresInDays: 5000 } })).status, 422, 'at most a year')

  const second = await call('POST', '/chat/api/tokens', { token: first, body: {} })
  assert.equal(second.status, 201)
  assert.equal((await call('POST', '/chat/api/ping', { token: second.json.token as string })).json.nickname, 'Tokenish', 'another token of the same person')
  const listed = await call('GET', '/chat/api/tokens', { token: first })
  assert.deepEqual(
    (listed.json.tokens as { id: string; current: boolean }[]).map((token) => [token.id, token.current]).sort(),
    [[registered.json.tokenId, true], [second.json.tokenId, false]].sort(),
  )

  const stranger = (await call('POST', '/chat/api/sessions', { body: { nickname: 'Stranger' } })).json.token as string
  assert.equal((await call('DELETE', `/chat/api/tokens/${String(registered.json.tokenId)}`, { token: stranger })).status, 404, 'only the owner revokes a token')
  assert.equal((await call('DELETE', `/chat/api/tokens/${String(registered.json.tokenId)}`, { token: second.json.token as string })).status, 204)
  const refused = await call('POST', '/chat/api/ping', { token: first })
  assert.deepEqual([refused.status, refused.json.code], [401, 'DX_CHAT_UNAUTHORIZED'])
  assert.match(refused.json.message ?? '', /revoked/)
  const html = await app.inject({ method: 'POST', url: '/chat/rooms', headers: { authorization: `Bearer ${first}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=sneaky' })
  assert.equal(html.statusCode, 401, 'a revoked token is refused on the HTML routes too')
  assert.equal((await call('POST', '/chat/api/ping', { token: second.json.token as string })).status, 200, 'the other token still works')

  // A correctly signed token whose expiry has passed is refused.
  const expired = newSessionToken(SECRET, 1, undefined, Date.now() - 2 * 24 * 3600_000)
  assert.equal((await call('POST', '/chat/api/ping', { token: expired.token })).status, 401)
})
