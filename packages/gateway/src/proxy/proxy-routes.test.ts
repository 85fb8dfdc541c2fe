import { test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request } from 'undici'
import WebSocket, { WebSocketServer } from 'ws'
import { isCrossOriginRequest, verifyIdentity } from '@distributex/protocol'
import { startFixture } from '../test-support/fixture-service.js'
import { startGateway, TEST_SECRET } from '../test-support/start-gateway.js'

test('proxy - bodies, status, redirects and cookies pass through; the session cookie does not', async (t) => {
  const service = await startFixture({
    name: 'svc',
    handle: (req, res) => {
      let body = ''
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        if (req.url === '/svc/redirect') {
          res.writeHead(303, { location: '/svc/done', 'set-cookie': 'svc_pref=1; Path=/svc' })
          return res.end()
        }
        res.writeHead(201, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ method: req.method, url: req.url, body, cookie: req.headers.cookie ?? null, identity: Boolean(req.headers['x-dx-identity']) }))
      })
    },
  })
  const gateway = await startGateway({ svc: service.url }, [{ service: 'svc' }])
  t.after(() => Promise.all([gateway.stop(), service.close()]))

  const posted = await request(`${gateway.url}/svc/items?x=1`, {
    method: 'PUT',
    body: 'title=hello',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'dx_sid=AAAAAAAAAAAAAAAAAAAAAA; svc_pref=1' },
  })
  assert.equal(posted.statusCode, 201)
  assert.deepEqual(await posted.body.json(), { method: 'PUT', url: '/svc/items?x=1', body: 'title=hello', cookie: 'svc_pref=1', identity: true })

  const redirect = await request(`${gateway.url}/svc/redirect`, { method: 'POST' })
  assert.equal(redirect.statusCode, 303)
  assert.equal(redirect.headers.location, '/svc/done')
  assert.match(String(redirect.headers['set-cookie']), /svc_pref=1/)
})

test('proxy - headers for one hop stay on it; the service\'s cookies and headers join the gateway\'s; large and HEAD answers arrive intact', async (t) => {
  const large = 'x'.repeat(200 * 1024)
  const service = await startFixture({
    name: 'hop',
    handle: (req, res) => {
      req.resume()
      req.on('end', () => {
        if (req.url === '/hop/large') {
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(large) })
          return res.end(large)
        }
        // A header the service says is for this hop only, and its own framing headers.
        res.writeHead(200, { 'content-type': 'application/json', connection: 'x-hop-secret', 'x-hop-secret': 'service', 'x-frame-options': 'SAMEORIGIN', 'set-cookie': 'pref=1; Path=/hop' })
        res.end(JSON.stringify({ secret: req.headers['x-browser-hop'] ?? null, kept: req.headers['x-kept'] ?? null, host: req.headers.host }))
      })
    },
  })
  const gateway = await startGateway({ hop: service.url }, [{ service: 'hop' }])
  t.after(() => Promise.all([gateway.stop(), service.close()]))

  // node:http, since undici refuses to send a Connection header naming other headers.
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const sent = httpRequest(`${gateway.url}/hop/items`, { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-mode': 'cors', connection: 'close, x-browser-hop', 'x-browser-hop': 'browser', 'x-kept': 'yes' } }, resolve)
    sent.once('error', reject)
    sent.end('{}')
  })
  assert.equal(response.statusCode, 200)
  let text = ''
  for await (const chunk of response) text += String(chunk)
  const seen = JSON.parse(text) as { secret: string | null; kept: string | null; host: string }
  assert.equal(seen.secret, null, 'a header the browser named in Connection does not reach the service')
  assert.equal(seen.kept, 'yes')
  assert.equal(seen.host, new URL(service.url).host, 'the service sees its own host')
  assert.equal(response.headers['x-hop-secret'], undefined, 'a header the service named in Connection does not reach the browser')
  assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN', "the service's own security header wins over the gateway's")
  assert.ok(response.headers['content-security-policy'], "the gateway's security headers are there")
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? [])
  assert.ok(cookies.some((c) => c.startsWith('pref=1')), "the service's cookie is passed on")
  assert.ok(cookies.some((c) => c.startsWith('dx_sid=')), "the gateway's session cookie is there too")

  const big = await request(`${gateway.url}/hop/large`)
  assert.equal(big.statusCode, 200)
  assert.equal((await big.body.text()).length, large.length)
  const head = await request(`${gateway.url}/hop/large`, { method: 'HEAD' })
  assert.equal(head.statusCode, 200)
  assert.equal(head.headers['content-length'], String(Buffer.byteLength(large)))
  assert.equal((await head.body.text()).length, 0)
})

test('proxy - a client that keeps no cookies (a webhook) is sent none; the service still gets a valid identity, a session per request', async (t) => {
  const service = await startFixture({
    name: 'hooks',
    handle: (req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ sid: verifyIdentity(TEST_SECRET, String(req.headers['x-dx-identity'])).sid }))
      })
    },
  })
  const gateway = await startGateway({ hooks: service.url }, [])
  t.after(() => Promise.all([gateway.stop(), service.close()]))

  // What GitHub sends with a webhook: no cookie, no Sec-Fetch-*, no HTML asked for.
  const delivery = { method: 'POST' as const, body: '{"action":"created"}', headers: { 'content-type': 'application/json', accept: '*/*', 'user-agent': 'GitHub-Hookshot/1', 'x-github-event': 'issue_comment' } }
  const first = await request(`${gateway.url}/hooks/webhooks/github`, delivery)
  const second = await request(`${gateway.url}/hooks/webhooks/github`, delivery)
  assert.equal(first.statusCode, 200)
  assert.equal(first.headers['set-cookie'], undefined, 'no session cookie for a client that would drop it')
  const sids = [((await first.body.json()) as { sid: string }).sid, ((await second.body.json()) as { sid: string }).sid]
  assert.notEqual(sids[0], sids[1], 'each delivery is a session of its own, as before')

  // The same request from a browser (Sec-Fetch-*, or asking for HTML) starts a session it keeps.
  for (const headers of [{ 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'same-origin' }, { accept: 'text/html,application/xhtml+xml' }]) {
    const browser = await request(`${gateway.url}/hooks/webhooks/github`, { ...delivery, headers: { ...delivery.headers, ...headers } })
    assert.match(String(browser.headers['set-cookie']), /^dx_sid=/, JSON.stringify(headers))
    await browser.body.dump()
  }
})

test('proxy - a streaming response is relayed as it is produced', async (t) => {
  const service = await startFixture({
    name: 'stream',
    handle: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: one\n\n')
      setTimeout(() => res.end('data: two\n\n'), 3000)
    },
  })
  const gateway = await startGateway({ stream: service.url }, [{ service: 'stream' }])
  t.after(() => Promise.all([gateway.stop(), service.close()]))
  const started = performance.now()
  const response = await request(`${gateway.url}/stream/events`)
  const times: number[] = []
  for await (const chunk of response.body) if (chunk.length) times.push(performance.now() - started)
  assert.ok(times.length >= 2, 'two separate chunks')
  // The first event is relayed while the service still holds the second back for 3 s.
  assert.ok((times[0] ?? Infinity) < (times[1] ?? 0) - 1500, `first event after ${times[0]} ms, second after ${times[1]} ms: the first was not held back`)
})

test('proxy - a cross-site form post is refused before it reaches the service', async (t) => {
  const service = await startFixture({ name: 'csrf' })
  const gateway = await startGateway({ csrf: service.url }, [{ service: 'csrf' }])
  t.after(() => Promise.all([gateway.stop(), service.close()]))
  const response = await request(`${gateway.url}/csrf/items`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' }, body: 'x=1' })
  assert.equal(response.statusCode, 403)
  assert.match(await response.body.text(), /posted from another site/)
  // A program asking for JSON gets the refusal in the shape of §8.2, not a sentence to scrape.
  const asJson = await request(`${gateway.url}/csrf/items`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site', accept: 'application/json' }, body: 'x=1' })
  assert.equal(asJson.statusCode, 403)
  assert.match(String(asJson.headers['content-type']), /^application\/json/)
  const body = (await asJson.body.json()) as { error: string; message: string; requestId: string }
  assert.match(body.message, /posted from another site/)
  assert.equal(body.requestId, asJson.headers['x-request-id'])
  assert.equal(service.seen.filter((r) => r.url === '/csrf/items').length, 0)
})

test('proxy - a same-origin form post from a browser that sends no Sec-Fetch-Site still passes the service’s own check', async (t) => {
  const service = await startFixture({ name: 'forms' })
  const gateway = await startGateway({ forms: service.url }, [{ service: 'forms' }])
  t.after(() => Promise.all([gateway.stop(), service.close()]))
  // Older browsers send only Origin; the service sees its own host, not the gateway's, so the gateway vouches.
  const response = await request(`${gateway.url}/forms/items`, { method: 'POST', headers: { origin: gateway.url, 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' })
  assert.equal(response.statusCode, 200)
  const seen = service.seen.find((r) => r.url === '/forms/items')
  assert.ok(seen, 'the post reached the service')
  assert.equal(isCrossOriginRequest('POST', seen.headers), false, 'the service, checking for itself, sees a same-origin post')
})

test('proxy - a stopped service gets a clear 502 page, not a crash', async (t) => {
  const service = await startFixture({ name: 'down' })
  const url = service.url
  await service.close()
  const gateway = await startGateway({ down: url }, [{ service: 'down' }])
  t.after(() => gateway.stop())
  const response = await request(`${gateway.url}/down/anything`)
  assert.equal(response.statusCode, 502)
  assert.match(await response.body.text(), /Down is currently unavailable/)
})

test('proxy - WebSocket upgrades are tunnelled to the owning service with the identity', async (t) => {
  const service = await startFixture({ name: 'live' })
  const wss = new WebSocketServer({ server: service.server })
  let identity: string | undefined
  wss.on('connection', (socket, req) => {
    identity = req.headers['x-dx-identity'] as string | undefined
    socket.on('message', (data) => socket.send(`echo:${String(data)}`))
  })
  const gateway = await startGateway({ live: service.url }, [{ service: 'live' }])
  t.after(async () => {
    await gateway.stop()
    wss.close()
    await service.close()
  })
  const client = new WebSocket(`${gateway.url.replace('http', 'ws')}/live/socket`, { headers: { 'x-dx-identity': 'forged' } })
  await once(client, 'open')
  client.send('hi')
  const [reply] = await once(client, 'message')
  assert.equal(String(reply), 'echo:hi')
  assert.ok(identity && identity !== 'forged', 'the service sees the gateway-signed identity')
  client.close()

  const unknown = new WebSocket(`${gateway.url.replace('http', 'ws')}/nobody/socket`)
  const [error] = await once(unknown, 'error')
  assert.match(String((error as Error).message), /404/)
})

test('proxy - a WebSocket upgrade that finds a process gone goes to the next one', async (t) => {
  const gone = await startFixture({ name: 'live' })
  const service = await startFixture({ name: 'live' })
  const wss = new WebSocketServer({ server: service.server })
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo:${String(data)}`)))
  const gateway = await startGateway({ live: `${gone.url},${service.url}` }, [{ service: 'live' }], { healthIntervalMs: 60_000 })
  // Both were seen up; one stops, and no health check runs before the upgrades: round robin sends some to it.
  await gone.close()
  t.after(async () => {
    await gateway.stop()
    wss.close()
    await service.close()
  })
  for (let i = 0; i < 4; i++) {
    const client = new WebSocket(`${gateway.url.replace('http', 'ws')}/live/socket`)
    await once(client, 'open')
    client.send(`hi ${i}`)
    const [reply] = await once(client, 'message')
    assert.equal(String(reply), `echo:hi ${i}`)
    client.close()
  }
})

test('admin - the admin page and JSON list services with their health', async (t) => {
  const service = await startFixture({ name: 'adm' })
  const gateway = await startGateway({ adm: service.url }, [{ service: 'adm' }])
  t.after(() => Promise.all([gateway.stop(), service.close()]))
  const json = (await (await request(`${gateway.url}/_dx/admin.json`)).body.json()) as { services: Array<{ name: string; state: string; version: string }> }
  assert.deepEqual(
    json.services.map((s) => [s.name, s.state, s.version]),
    [['adm', 'up', '1.0.0']],
  )
  const page = await (await request(`${gateway.url}/_dx/admin`)).body.text()
  assert.match(page, /data-service="adm"/)
  assert.match(page, />up</)
})
