/**
 * Nothing that lets someone in ever reaches a log. The gateway and two
 * services run as the command line runs them, logging everything (debug, JSON),
 * while a scripted session uses every credential there is: the shared secret,
 * a browser session cookie, channel tokens over WebSocket and over SSE (whose
 * URL carries them), a Chat API token, the admin password, the metrics. Then
 * every line every process printed is searched for each of them.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { engineUrl, freePort, requireEngine, waitFor } from '@distributex/testkit'
import { LivePage } from '../chaos/live-page.js'
import { framesIn } from '../chaos/page-html.js'
import { joinRoom, newSession, postForm } from '../chaos/people.js'
import { serviceModule, startCluster } from '../support/cluster.js'

const { skip } = requireEngine('REDIS_URL')

test('logs - a full session through the gateway leaves no secret, cookie, token or password in any log line', { skip, timeout: 120_000 }, async (t) => {
  const secret = randomBytes(24).toString('hex')
  const password = `admin-${randomBytes(8).toString('hex')}`
  const [gateway, chat, todo] = [await freePort(), await freePort(), await freePort()]
  const cluster = await startCluster({
    // Separate processes share live updates through a real broker; each service keeps SQLite in the cluster's folder.
    busUrl: engineUrl('REDIS_URL'),
    databaseUrl: '',
    secret,
    services: {
      chat: { module: serviceModule('chat'), title: 'Chat', ports: [chat] },
      todo: { module: serviceModule('todo'), title: 'Todo', ports: [todo] },
    },
    gatewayPorts: [gateway],
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'todo', widget: 'list' }, { service: 'chat', widget: 'room' }] }],
    env: { DX_ADMIN_PASSWORD: password, DX_LOG_FORMAT: 'json' },
    logLevel: 'debug',
    outputKept: 50_000_000,
  })
  t.after(() => cluster.close())
  const base = `http://127.0.0.1:${gateway}`
  const used = new Map<string, string>([
    ['DX_SECRET', secret],
    ['the admin password', password],
  ])

  // A person: nickname and room (the gateway rotates the cookie), a todo, chat messages, live over WebSocket and SSE.
  const { cookie, slug } = await joinRoom(base, newSession(secret), `Logger ${randomBytes(2).toString('hex')}`, `Logs ${randomBytes(2).toString('hex')}`, true)
  used.set('the session cookie', cookie.split('=').slice(1).join('='))
  const home = await (await fetch(`${base}/`, { headers: { cookie } })).text()
  for (const frame of framesIn(home)) for (const grant of frame.grants) used.set(`the channel token of ${grant.channel}`, grant.token)
  const marker = /\blog-check-\d+\b/g
  const ws = await LivePage.open({ gateway: base, transport: 'ws', cookie, marker })
  const sse = await LivePage.open({ gateway: base, transport: 'sse', cookie, marker })
  t.after(() => {
    ws.close()
    sse.close()
  })
  await waitFor(() => ws.healthy && sse.healthy, { timeoutMs: 15_000, what: 'both pages to connect' })
  for (let i = 1; i <= 3; i++) {
    await (await postForm(base, cookie, '/todo/items', { title: `log-check-${i}` }, { key: `todo-${i}` }))?.arrayBuffer()
    await (await postForm(base, cookie, `/chat/rooms/${slug}/messages`, { text: `log-check-${10 + i}`, clientId: `c-${i}` }, { key: `chat-${i}` }))?.arrayBuffer()
  }
  await waitFor(() => ws.live.size === 6 && sse.live.size === 6, { timeoutMs: 15_000, what: 'the six changes to arrive on both pages' })

  // The Chat API with a bearer token, the admin page and the metrics with the password.
  const session = await fetch(`${base}/chat/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nickname: `Bot ${randomBytes(2).toString('hex')}` }) })
  const { token } = (await session.json()) as { token: string }
  assert.ok(token, 'the Chat API gave a token')
  used.set('the Chat API token', token)
  const join = await fetch(`${base}/chat/api/rooms/${slug}/join`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' })
  assert.equal(join.status, 200)
  const basic = `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`
  used.set('the admin Basic credentials', basic.slice(6))
  assert.equal((await fetch(`${base}/_dx/admin`, { headers: { authorization: basic } })).status, 200)
  assert.equal((await fetch(`${base}/_dx/metrics`, { headers: { authorization: basic } })).status, 200)
  // A wrong password is logged as a refusal, never as the password tried.
  const wrong = `wrong-${randomBytes(6).toString('hex')}`
  used.set('a wrong admin password tried', wrong)
  assert.equal((await fetch(`${base}/_dx/admin`, { headers: { authorization: `Basic ${Buffer.from(`ops:${wrong}`).toString('base64')}` } })).status, 401)

  // A stream is logged when it ends: close the pages and let the gateway write those lines.
  ws.close()
  sse.close()
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const processes = [...cluster.gateways, ...Object.values(cluster.services).flat()]
  const output = processes.map((process) => process.output()).join('\n')
  const lines = output.split('\n').filter((line) => line.startsWith('{'))
  t.diagnostic(`${lines.length} JSON log lines from ${processes.length} processes; the live stream's: ${lines.find((line) => line.includes('/_dx/live/sse')) ?? 'none'}`)
  assert.ok(lines.length > 20, `the processes logged at debug level (${lines.length} lines)`)
  assert.ok(lines.some((line) => line.includes('"msg":"request"')), 'request lines are there')
  // Also inside anything encoded: the SSE URL carries its channel tokens as base64url JSON.
  const decoded = lines.flatMap((line) => (line.match(/[A-Za-z0-9_-]{40,}/g) ?? []).map((run) => Buffer.from(run, 'base64url').toString('latin1')))
  for (const [what, value] of used) {
    const leaked = [...lines, ...decoded].find((line) => line.includes(value) || line.includes(encodeURIComponent(value)))
    assert.equal(leaked, undefined, `${what} appears in a log line: ${leaked?.slice(0, 300)}`)
  }
})
