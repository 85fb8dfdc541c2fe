import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import WebSocket from 'ws'
import { personId, signChannelToken, signIdentity } from '@distributex/protocol'
import { publishCredential, sessionCookieFor } from '@distributex/gateway'
import { startChatApp, CHAT_SECRET } from '../support/chat-app.js'
import { useApp } from '../support/app.js'

const OTHER_SECRET = 'o'.repeat(48)

describe('forged identities, tokens, subscriptions and publishes are refused', () => {
  const app = useApp(() => startChatApp())

  test('security - an identity header sent by the browser is dropped by the gateway; one forged straight to a service gets 401', async () => {
    const victim = 'V'.repeat(22)
    const claimed = signIdentity(CHAT_SECRET, { sub: `anon:${victim}`, sid: victim })
    const page = await (await fetch(`${app.gateway.url}/chat`, { headers: { 'x-dx-identity': claimed } })).text()
    assert.doesNotMatch(page, new RegExp(personId(CHAT_SECRET, victim)), 'the gateway replaced it with the browser’s own session')
    const direct = await fetch(`${app.chat.url}/chat`, { headers: { 'x-dx-identity': signIdentity(OTHER_SECRET, { sub: `anon:${victim}`, sid: victim }) } })
    assert.equal(direct.status, 401)
  })

  test('security - a live subscription with a token for another session or signed with another key is refused', async () => {
    const session = 'S'.repeat(22)
    const socket = new WebSocket(`${app.gateway.url.replace(/^http/, 'ws')}/_dx/live`, { headers: { cookie: sessionCookieFor(CHAT_SECRET, session), origin: app.gateway.url } })
    await once(socket, 'open')
    const replies: { type: string; channel?: string }[] = []
    socket.on('message', (data) => replies.push(JSON.parse(String(data)) as { type: string }))
    socket.send(JSON.stringify({ type: 'subscribe', channel: 'chat:rooms', token: signChannelToken(CHAT_SECRET, 'chat:rooms', 'T'.repeat(22)) }))
    socket.send(JSON.stringify({ type: 'subscribe', channel: 'chat:inbox', token: signChannelToken(OTHER_SECRET, 'chat:inbox', session) }))
    const deadline = Date.now() + 5000
    while (replies.filter((reply) => reply.type === 'refused').length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.deepEqual(replies.filter((reply) => reply.type === 'refused').map((reply) => reply.channel).sort(), ['chat:inbox', 'chat:rooms'])
    socket.close()
    const crossSite = new WebSocket(`${app.gateway.url.replace(/^http/, 'ws')}/_dx/live`, { headers: { origin: 'https://evil.example' } })
    const [error] = (await once(crossSite, 'error')) as [Error]
    assert.match(error.message, /403/, 'another site cannot open a live connection with the person’s cookie')
  })

  test('security - publishes with forged credentials, or into the platform’s session topic, are refused', async () => {
    const post = (authorization: string, body: unknown) =>
      fetch(`${app.gateway.url}/_dx/publish`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) })
    const update = { channel: 'chat:rooms', actions: [{ action: 'remove', target: 'chat-app' }] }
    assert.equal((await post(`Bearer ${publishCredential(OTHER_SECRET, 'chat')}`, update)).status, 401)
    assert.equal((await post(`Bearer ${publishCredential(CHAT_SECRET, 'todo')}`, update)).status, 403, 'a service publishes only to its own channels')
    const logoutEveryone = { event: { topic: 'dx.sessions', type: 'session.revoked', data: { token: 'A'.repeat(22), sid: 'A'.repeat(22), until: Date.now() + 60_000 } } }
    assert.equal((await post(`Bearer ${publishCredential(CHAT_SECRET, 'dx')}`, logoutEveryone)).status, 403, 'not even a service named "dx" writes the session topic')
  })

  test('security - Chat API tokens: forged, expired and revoked ones are refused through the gateway', async () => {
    const api = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
      fetch(`${app.gateway.url}${path}`, {
        method: init.method ?? 'POST',
        headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      })
    const registered = (await (await api('/chat/api/sessions', { body: { nickname: 'Forger' } })).json()) as { token: string; tokenId: string }
    assert.equal((await api('/chat/api/ping', { token: registered.token })).status, 200)
    const [session, tokenId, expiry] = registered.token.split('.')
    assert.equal((await api('/chat/api/ping', { token: `${session}.${tokenId}.${expiry}.forgedmac` })).status, 401, 'forged signature')
    assert.equal((await api('/chat/api/ping', { token: `${session}.${tokenId}.${(parseInt(expiry!, 36) + 3600).toString(36)}.${registered.token.split('.')[3]}` })).status, 401, 'a moved expiry breaks the signature')
    assert.equal((await api(`/chat/api/tokens/${registered.tokenId}`, { method: 'DELETE', token: registered.token })).status, 204)
    const refused = await api('/chat/api/ping', { token: registered.token })
    assert.equal(refused.status, 401)
    assert.match(((await refused.json()) as { message: string }).message, /revoked/)
  })
})
