// The hub contract (@distributex/hub/testing) against a service's own URL; the gateway runs the same.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBus } from '@distributex/bus'
import { runHubContract } from '@distributex/hub/testing'
import { checkChannelToken } from '@distributex/protocol'
import { html } from '@distributex/ui'
import { defineService } from './define-service.js'
import { OWN_SESSION_COOKIE, ownSessionCookieFor, readOwnSession } from './own-session.js'

const secret = 'o'.repeat(40)

const echo = defineService({
  name: 'echo',
  version: '1.0.0',
  title: 'Echo',
  widgets: [{ name: 'card', title: 'Echo', path: '/echo' }],
  async setup(app, context) {
    app.get('/echo', async (request, reply) => reply.page(html`<p id="echo"${await context.live.attributes(request, 'echo:things')}>echo</p>`))
  },
})

runHubContract({
  name: "service's own URL",
  secret,
  cookie: (sessionId) => ownSessionCookieFor(secret, sessionId),
  createBus: (url) => createBus(url),
  start: (bus, env) => echo.start({ bus, logLevel: 'silent', env: { DX_SECRET: secret, ...env }, dataDir: mkdtempSync(join(tmpdir(), 'dx-sdk-live-')) }),
})

test("sdk - a page on the service's own URL gets its own session, a channel granted to it, and its own hub", async (t) => {
  const bus = createBus(undefined)
  const service = await echo.start({ bus, logLevel: 'silent', env: { DX_SECRET: secret }, dataDir: mkdtempSync(join(tmpdir(), 'dx-sdk-live-')) })
  t.after(async () => {
    await service.stop()
    await bus.close()
  })
  const page = await fetch(`${service.url}/echo`, { headers: { accept: 'text/html' } })
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  assert.match(cookie, new RegExp(`^${OWN_SESSION_COOKIE}=`))
  const body = await page.text()
  assert.match(body, /<meta name="dx-live" content="\/_dx\/live">/)
  const token = /data-dx-token="([^"]+)"/.exec(body)?.[1] ?? ''
  const sessionId = readOwnSession(secret, cookie) ?? ''
  assert.equal(checkChannelToken(secret, token, 'echo:things', sessionId), undefined, 'the grant is for this browser')
  const again = await fetch(`${service.url}/echo`, { headers: { accept: 'text/html', cookie } })
  assert.equal(again.headers.get('set-cookie'), null, 'a known browser keeps its session')
  assert.equal(readOwnSession('another-secret-another-secret-123', cookie), undefined, 'a session signed with another secret is none')
})
