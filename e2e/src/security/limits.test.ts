import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { createGateway, parseGatewayConfig, type Gateway } from '@distributex/gateway'
import { createBus } from '@distributex/bus'
import { defineService } from '@distributex/sdk'
import { pythonSkip } from '../support/polls-app.js'
import { startSecurityApp, SECURITY_SECRET, type SecurityApp } from '../support/security-app.js'

const skip = pythonSkip()
const MB = 1024 * 1024

/** Every log line at error level (pino: "level":50 or more) written to stdout while `run` runs; pino writes to fd 1 itself. */
async function errorLines<T>(run: () => Promise<T>): Promise<{ result: T; errors: string[] }> {
  const errors: string[] = []
  const seen = (fd: unknown, data: unknown) => {
    if (fd === 1 && /"level":(5\d|60)/.test(String(data))) errors.push(String(data))
  }
  const { write, writeSync } = fs
  const patched = fs as unknown as Record<'write' | 'writeSync', (fd: unknown, data: unknown, ...rest: unknown[]) => unknown>
  patched.write = (fd, data, ...rest) => (seen(fd, data), (write as (...args: unknown[]) => unknown)(fd, data, ...rest))
  patched.writeSync = (fd, data, ...rest) => (seen(fd, data), (writeSync as (...args: unknown[]) => unknown)(fd, data, ...rest))
  try {
    const result = await run()
    await new Promise((resolve) => setTimeout(resolve, 200))
    return { result, errors }
  } finally {
    Object.assign(fs, { write, writeSync })
  }
}

describe('body limits at the gateway: 413 before forwarding, for every service', { skip }, () => {
  let app: SecurityApp
  let token = ''
  before(async () => {
    app = await startSecurityApp({ logLevel: 'error' })
    const registered = await fetch(`${app.gateway.url}/chat/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nickname: 'BigSender' }) })
    token = ((await registered.json()) as { token: string }).token
    await fetch(`${app.gateway.url}/chat/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'big' }) })
  })
  after(async () => {
    await app?.close()
  })

  test('security - 1 MB and 10 MB bodies answer 413: JSON for the Chat API, the error page for forms; no service logs an error', async () => {
    const gateway = app.gateway.url
    const form = (field: string, size: number) => ({ body: `${field}=${'x'.repeat(size)}`, type: 'application/x-www-form-urlencoded' })
    const targets = [
      { path: '/todo/items', ...form('title', 0) },
      { path: '/chat/rooms/big/messages', ...form('text', 0) },
      { path: '/chat/nickname', ...form('nickname', 0) },
      { path: '/news/save', ...form('story', 0) },
      { path: '/polls/polls', ...form('question', 0) },
    ]
    const { errors } = await errorLines(async () => {
      // The capture works: this one line is the only error expected.
      app.services.chat.app.log.error({ probe: true }, 'capture check')
      for (const size of [MB, 10 * MB]) {
        for (const target of targets) {
          const response = await fetch(`${gateway}${target.path}`, { method: 'POST', headers: { 'content-type': target.type, accept: 'text/html', origin: gateway }, body: form(target.body.split('=')[0]!, size).body })
          const text = await response.text()
          assert.equal(response.status, 413, `${target.path} with ${size / MB} MB`)
          assert.match(response.headers.get('content-type') ?? '', /^text\/html/)
          assert.match(text, /Request too large/)
        }
        const api = await fetch(`${gateway}/chat/api/rooms/big/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ text: 'y'.repeat(size) }),
        })
        const json = (await api.json()) as { error: string; code: string; message: string; requestId: string }
        assert.equal(api.status, 413, `the Chat API with ${size / MB} MB`)
        assert.equal(json.code, 'DX_BODY_TOO_LARGE')
        assert.match(json.message, /larger than the 256 KB this service accepts/)
        assert.ok(json.requestId)
      }
    })
    assert.equal(errors.filter((line) => line.includes('capture check')).length, 1, 'error lines are captured')
    assert.deepEqual(errors.filter((line) => !line.includes('capture check')), [], 'no service (and not the gateway) logs an error for a client’s mistake')
    assert.doesNotMatch(app.services.polls.output(), /Traceback|ERROR/)
  })

  test('security - a chunked body is cut off at the limit with 413, and a body within the limit reaches the service', async () => {
    const gateway = app.gateway.url
    const chunks = (count: number, size: number) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < count; i++) controller.enqueue(new Uint8Array(size).fill(120))
          controller.close()
        },
      })
    const large = await fetch(`${gateway}/todo/items`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: gateway }, body: chunks(40, 64 * 1024), duplex: 'half' } as RequestInit)
    assert.equal(large.status, 413)
    await large.arrayBuffer()
    const small = await fetch(`${gateway}/todo/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: gateway, 'hx-request': 'true' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('title=chunked%20but%20small'))
          controller.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    assert.equal(small.status, 200)
    assert.match(await small.text(), /chunked but small/)
  })

  test('security - a service’s own 4xx passes through the gateway unchanged', async () => {
    const gateway = app.gateway.url
    const tooLong = await fetch(`${gateway}/chat/api/rooms/big/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: 'z'.repeat(100_000) }),
    })
    const json = (await tooLong.json()) as { code: string; field: string }
    assert.deepEqual([tooLong.status, json.code, json.field], [422, 'DX_VALIDATION', 'text'], 'within the body limit, the chat’s own rule answers')
    const forged = await fetch(`${gateway}/chat/api/ping`, { method: 'POST', headers: { authorization: 'Bearer forged.token.here.x', accept: 'application/json' } })
    assert.equal(forged.status, 401)
    assert.equal(((await forged.json()) as { code: string }).code, 'DX_CHAT_UNAUTHORIZED')
  })
})

describe('rate limits at the gateway', () => {
  const start = async (t: { after(fn: () => Promise<void>): void }, security: Record<string, unknown>, publicUrl?: string): Promise<Gateway> => {
    const bus = createBus(undefined)
    const config = parseGatewayConfig({ gateway: { port: 0, security, ...(publicUrl ? { publicUrl } : {}) }, services: {} })
    const gateway = await createGateway(config, { port: 0, env: { DX_SECRET: SECURITY_SECRET }, dataDir: 'data', logLevel: 'silent', bus })
    await gateway.start()
    t.after(async () => {
      await gateway.stop()
      await bus.close()
    })
    return gateway
  }

  test('security - past the limit a client gets 429 with Retry-After, as JSON or as a page', async (t) => {
    const gateway = await start(t, { rateLimit: { max: 5, windowMs: 60_000, exemptLoopback: false } })
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${gateway.url}/nope`)).status)
    assert.deepEqual(statuses, [404, 404, 404, 404, 404])
    const page = await fetch(`${gateway.url}/nope`, { headers: { accept: 'text/html' } })
    assert.equal(page.status, 429)
    assert.ok(Number(page.headers.get('retry-after')) > 0, 'Retry-After says when to come back')
    assert.match(await page.text(), /Too many requests/)
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/, 'a refusal carries the security headers too')
    const json = await fetch(`${gateway.url}/nope`, { headers: { accept: 'application/json' } })
    assert.equal(json.status, 429)
    assert.equal(((await json.json()) as { code: string }).code, 'DX_RATE_LIMITED')
    assert.equal((await fetch(`${gateway.url}/_dx/health`)).status, 200, 'health checks are never limited')
  })

  test('security - in development (a public URL that is not https) this machine is not limited; behind https it is', async (t) => {
    const development = await start(t, { rateLimit: { max: 3, windowMs: 60_000 } })
    const statuses = new Set<number>()
    for (let i = 0; i < 10; i++) statuses.add((await fetch(`${development.url}/nope`)).status)
    assert.deepEqual([...statuses], [404])
    const production = await start(t, { rateLimit: { max: 3, windowMs: 60_000 } }, 'https://app.example.test')
    const limited: number[] = []
    for (let i = 0; i < 4; i++) limited.push((await fetch(`${production.url}/nope`)).status)
    assert.deepEqual(limited, [404, 404, 404, 429])
  })

  test('security - a service\'s declared webhook path is not counted against the sender\'s address; its other paths are', async (t) => {
    const received: string[] = []
    const hooks = defineService({
      name: 'hooks',
      version: '1.0.0',
      title: 'Hooks',
      webhooks: ['/hooks/github'],
      setup(app) {
        app.post('/hooks/github', async (request) => {
          received.push(String(request.headers['x-github-delivery']))
          return { outcome: 'received' }
        })
        app.post('/hooks/other', async () => ({ outcome: 'other' }))
      },
    })
    const bus = createBus(undefined)
    const running = await hooks.start({ port: 0, env: { DX_SECRET: SECURITY_SECRET }, dataDir: 'data', logLevel: 'silent', bus })
    const config = parseGatewayConfig({ gateway: { port: 0, security: { rateLimit: { max: 3, windowMs: 60_000, exemptLoopback: false } } }, services: { hooks: { url: running.url } } })
    const gateway = await createGateway(config, { port: 0, env: { DX_SECRET: SECURITY_SECRET }, dataDir: 'data', logLevel: 'silent', bus })
    await gateway.start()
    t.after(async () => {
      await gateway.stop()
      await running.stop()
      await bus.close()
    })
    const post = (path: string, n: number) =>
      fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-delivery': `d-${n}` }, body: '{}' }).then((answer) => answer.status)
    // A sender posting from one address, as GitHub does: every delivery reaches the service.
    const deliveries: number[] = []
    for (let n = 0; n < 8; n++) deliveries.push(await post('/hooks/github', n))
    assert.deepEqual(deliveries, [200, 200, 200, 200, 200, 200, 200, 200])
    assert.equal(received.length, 8, 'the service got every delivery')
    // The exemption is that exact path only: the service's other paths, and look-alikes, are limited as before.
    const others = [await post('/hooks/other', 0), await post('/hooks/other', 1), await post('/hooks/other', 2), await post('/hooks/other', 3), await post('/hooks/github/', 9)]
    assert.deepEqual(others, [200, 200, 200, 429, 429])
  })
})
