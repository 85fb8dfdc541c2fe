import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '@distributex/testkit'
import { bountiesService } from './index.js'

test('bounties demo - without GitHub credentials it runs on the local double, and the try page sends a signed delivery the bot answers', async (t) => {
  const { app, close } = await bountiesService.build({ dataDir: mkdtempSync(join(tmpdir(), 'dx-bounties-demo-')), logLevel: 'silent', env: { DX_SECRET: 'd'.repeat(40) }, databaseUrl: undefined })
  t.after(close)
  const form = await app.inject({ url: '/bounties/try' })
  assert.equal(form.statusCode, 200)
  const comment = /name="comment" value="(\d+)"/.exec(form.body)?.[1]
  assert.ok(comment)
  const send = (action: string) =>
    app.inject({ method: 'POST', url: '/bounties/try', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ body: 'Fix it for $USDC:50$ <script>', issue: '3', comment, action }).toString() })
  const sent = await send('created')
  assert.equal(sent.statusCode, 200, sent.body)
  assert.match(sent.body, /&quot;outcome&quot;:&quot;received&quot;/)
  assert.ok(!sent.body.includes('<script>'), 'what was typed is escaped')
  const page = await waitFor(async () => {
    const body = (await app.inject({ url: '/bounties/try?issue=3' })).body
    return /Bounties[\s\S]*50 USDC/.test(body) ? body : undefined
  }, { what: 'the bot comment recorded by the double', timeoutMs: 10_000 })
  assert.match(page, /Sign this bounty/)
  assert.match((await app.inject({ url: '/bounties', headers: { 'x-dx-fragment': '1' } })).body, /Try it offline/)
  assert.equal((await app.inject({ method: 'POST', url: '/bounties/try', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'issue=abc&comment=1' })).statusCode, 422)
})
