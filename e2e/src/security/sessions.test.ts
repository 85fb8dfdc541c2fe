import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import WebSocket from 'ws'
import { createGateway, parseGatewayConfig, sessionCookieFor, type Gateway } from '@distributex/gateway'
import { createBus, type Bus } from '@distributex/bus'
import { engineUrl, requireEngine, waitFor } from '@distributex/testkit'
import { SECURITY_SECRET } from '../support/security-app.js'
import { openChat, pickNickname, startChatApp } from '../support/chat-app.js'
import { browserSkip, launchBrowser } from '../support/browser.js'

type After = { after(fn: () => Promise<void>): void }

async function gatewayOn(t: After, bus: Bus, gateway: Record<string, unknown> = {}): Promise<Gateway> {
  const config = parseGatewayConfig({ gateway: { port: 0, ...gateway }, services: {} })
  const started = await createGateway(config, { port: 0, env: { DX_SECRET: SECURITY_SECRET }, dataDir: 'data', logLevel: 'silent', bus })
  await started.start()
  t.after(() => started.stop())
  return started
}

async function gateway(t: After, settings: Record<string, unknown> = {}): Promise<Gateway> {
  const bus = createBus(undefined)
  t.after(() => bus.close())
  return gatewayOn(t, bus, settings)
}

/** The session cookie a response sets (name=value), or undefined. */
function setCookie(response: Response): string | undefined {
  return response.headers.getSetCookie().find((cookie) => /^(__Host-)?dx_sid=/.test(cookie))
}

/** The public session id in a cookie (name=value or a Set-Cookie line). */
const sessionOf = (cookie: string | undefined) => /dx_sid=([^.;]+)\./.exec(cookie ?? '')?.[1]

describe('sessions at the gateway', () => {
  test('security - over https the cookie is __Host- and Secure; X-Forwarded-Proto is believed only from configured proxies', async (t) => {
    const https = await gateway(t, { publicUrl: 'https://app.example.test' })
    const cookie = setCookie(await fetch(`${https.url}/`)) ?? ''
    assert.match(cookie, /^__Host-dx_sid=[^;]+; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax; Secure$/, 'no Domain, Path=/, Secure: the __Host- rules')

    const behindProxy = await gateway(t, { security: { trustedProxies: ['127.0.0.1', '::1'] } })
    assert.match(setCookie(await fetch(`${behindProxy.url}/`, { headers: { 'x-forwarded-proto': 'https' } })) ?? '', /^__Host-dx_sid=.*; Secure$/)
    const noProxy = await gateway(t)
    const plain = setCookie(await fetch(`${noProxy.url}/`, { headers: { 'x-forwarded-proto': 'https' } })) ?? ''
    assert.match(plain, /^dx_sid=/)
    assert.doesNotMatch(plain, /Secure/, 'a forwarded https from anyone is not believed')
  })

  test('security - expired (idle or absolute), forged and revoked session cookies are refused: the browser gets a new session', async (t) => {
    const started = await gateway(t, { security: { session: { idleMinutes: 120, absoluteHours: 1 } } })
    const kept = sessionCookieFor(SECURITY_SECRET, 'A'.repeat(22))
    assert.equal(setCookie(await fetch(`${started.url}/`, { headers: { cookie: kept } })), undefined, 'a valid, recently used session is kept (no new cookie)')
    const overAbsolute = sessionCookieFor(SECURITY_SECRET, 'B'.repeat(22), Date.now() - 90 * 60_000)
    assert.notEqual(sessionOf(setCookie(await fetch(`${started.url}/`, { headers: { cookie: overAbsolute } }))), 'B'.repeat(22), 'older than the absolute lifetime')
    const forged = sessionCookieFor('another secret that is long enough to be used', 'C'.repeat(22))
    assert.notEqual(sessionOf(setCookie(await fetch(`${started.url}/`, { headers: { cookie: forged } }))), 'C'.repeat(22), 'signed with another key')
    const tampered = kept.replace(/\.([a-z0-9]+)\.([^.]+)$/, (_all, seen: string, mac: string) => `.${(parseInt(seen, 36) + 1).toString(36)}.${mac}`)
    assert.notEqual(sessionOf(setCookie(await fetch(`${started.url}/`, { headers: { cookie: tampered } }))), 'A'.repeat(22), 'a cookie whose clock was moved is not believed')

    const idle = await gateway(t, { security: { session: { idleMinutes: 30, absoluteHours: 24 } } })
    const idleCookie = sessionCookieFor(SECURITY_SECRET, 'D'.repeat(22), Date.now() - 45 * 60_000)
    assert.notEqual(sessionOf(setCookie(await fetch(`${idle.url}/`, { headers: { cookie: idleCookie } }))), 'D'.repeat(22), 'unused for longer than the idle time')
  })

  for (const [name, busUrl] of [['in-process bus', undefined], ['Redis', 'REDIS_URL']] as const) {
    const skip = busUrl ? requireEngine(busUrl).skip : false
    test(`security - logout on one gateway ends the session on another within a second, live connections included (${name})`, { skip }, async (t) => {
      const busA = createBus(busUrl ? engineUrl(busUrl) : undefined)
      const busB = busUrl ? createBus(engineUrl(busUrl)) : busA
      t.after(async () => {
        await busA.close()
        if (busB !== busA) await busB.close()
      })
      const a = await gatewayOn(t, busA)
      const b = await gatewayOn(t, busB)
      const cookie = (setCookie(await fetch(`${a.url}/`)) ?? '').split(';')[0] ?? ''
      assert.equal(setCookie(await fetch(`${b.url}/`, { headers: { cookie } })), undefined, 'the other node knows the session')
      const socket = new WebSocket(`${b.url.replace(/^http/, 'ws')}/_dx/live`, { headers: { cookie, origin: b.url } })
      await once(socket, 'open')
      const closed = once(socket, 'close')

      const logout = await fetch(`${a.url}/_dx/session/end`, { method: 'POST', headers: { cookie, origin: a.url }, redirect: 'manual' })
      assert.equal(logout.status, 303)
      assert.match(setCookie(logout) ?? '', /^dx_sid=; Path=\/; Max-Age=0/)
      const started = Date.now()
      await waitFor(async () => setCookie(await fetch(`${b.url}/`, { headers: { cookie } })) !== undefined, { timeoutMs: 1000, intervalMs: 20, what: 'the other gateway to refuse the ended session' })
      console.log(`# ${name}: the other gateway refused the ended session after ${Date.now() - started} ms`)
      const [code] = (await closed) as [number]
      assert.equal(code, 4001, 'the live connection of the ended session was closed')
      assert.notEqual(sessionOf(setCookie(await fetch(`${a.url}/`, { headers: { cookie } }))), sessionOf(cookie), 'and on the node that ended it')

      const crossSite = await fetch(`${a.url}/_dx/session/end`, { method: 'POST', headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } })
      assert.equal(crossSite.status, 403, 'another site cannot log a person out')
    })
  }
})

describe('session rotation on a privilege change', () => {
  test('security - taking a nickname rotates the session: same person under a new cookie, the old cookie refused', async (t) => {
    const app = await startChatApp({ security: { session: { rotationGraceSeconds: 0 } } })
    t.after(() => app.close())
    const url = app.gateway.url
    const first = (setCookie(await fetch(`${url}/chat`)) ?? '').split(';')[0] ?? ''
    const named = await fetch(`${url}/chat/nickname`, { method: 'POST', headers: { cookie: first, origin: url, 'content-type': 'application/x-www-form-urlencoded' }, body: 'nickname=Rotator', redirect: 'manual' })
    assert.equal(named.status, 303)
    assert.equal(named.headers.get('x-dx-session'), null, 'the gateway keeps its control header to itself')
    const rotated = (setCookie(named) ?? '').split(';')[0] ?? ''
    assert.ok(rotated && rotated !== first, 'a new cookie')
    assert.equal(sessionOf(rotated), sessionOf(first), 'for the same session')
    const page = await fetch(`${url}/chat`, { headers: { cookie: rotated } })
    assert.match(await page.text(), /value="Rotator"/, 'the same person, still named')
    await waitFor(async () => setCookie(await fetch(`${url}/chat`, { headers: { cookie: first } })) !== undefined, { timeoutMs: 2000, what: 'the old cookie to be refused' })
    const old = await fetch(`${url}/chat`, { headers: { cookie: first } })
    assert.doesNotMatch(await old.text(), /value="Rotator"/, 'the cookie from before the change is not that person any more')
  })
})

describe('ending a session from the page, in headless Chromium', { skip: browserSkip() }, () => {
  test('security - "End session" forgets the person: the next page is a new session with no nickname', async (t) => {
    const app = await startChatApp()
    const browser = await launchBrowser()
    t.after(async () => {
      await browser.close()
      await app.close()
    })
    const context = await browser.newContext()
    const page = await openChat(browser, `${app.gateway.url}/`)
    await pickNickname(page, 'Leaving')
    const before = (await page.context().cookies()).find((cookie) => cookie.name === 'dx_sid')?.value
    await Promise.all([page.waitForURL(`${app.gateway.url}/`), page.getByRole('button', { name: 'End session' }).click()])
    await page.locator('#chat-nickname').waitFor()
    assert.equal(await page.locator('#chat-nickname').inputValue(), '', 'a new person, without the nickname')
    const after = (await page.context().cookies()).find((cookie) => cookie.name === 'dx_sid')?.value
    assert.ok(after && after !== before)
    assert.notEqual(sessionOf(`dx_sid=${after}`), sessionOf(`dx_sid=${before}`))
    await context.close()
  })
})
