import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { startGitHubDouble } from './github-double/index.js'
import { createGitHubClient, retryDelayMs } from './github-client.js'
import { GitHubApiError } from './bounty-errors.js'

const keys = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })

test('github client - App auth gets one installation token, cached for the next calls; comments are created and edited', async (t) => {
  const { publicKey, privateKey } = keys()
  const double = await startGitHubDouble({ appId: 12, publicKey })
  t.after(() => double.stop())
  const github = createGitHubClient({ appId: 12, privateKey, baseUrl: double.url })
  const created = await github.createComment('5', 'octo/repo', 3, 'first')
  assert.equal(await github.updateComment('5', 'octo/repo', created.id, 'second'), true)
  await github.createComment('5', 'octo/repo', 4, 'other')
  assert.equal(double.tokensIssued, 1, 'the token is cached until it expires')
  assert.deepEqual(double.comments('octo/repo', 3).map((comment) => comment.history), [['first', 'second']])
  assert.equal(await github.updateComment('5', 'octo/repo', '999', 'gone'), false, 'a deleted comment answers false')
})

test('github client - 5xx and secondary rate limits are retried after Retry-After', async (t) => {
  const { publicKey, privateKey } = keys()
  const double = await startGitHubDouble({ appId: 12, publicKey })
  t.after(() => double.stop())
  const github = createGitHubClient({ appId: 12, privateKey, baseUrl: double.url })
  await github.createComment('5', 'octo/repo', 1, 'warm the token')
  double.failNext({ status: 502 })
  double.failNext({ status: 403, retryAfterSeconds: 1, message: 'You have exceeded a secondary rate limit' })
  const started = Date.now()
  await github.createComment('5', 'octo/repo', 1, 'after the storms')
  assert.ok(Date.now() - started >= 900, 'waited what Retry-After said')
  assert.deepEqual(double.requests.slice(-3).map((request) => request.status), [502, 403, 201])
  assert.equal(retryDelayMs({ status: 403, response: { headers: { 'retry-after': '3600' } } }, 0, 60), undefined, 'a wait longer than allowed fails the call; the job retries later')
  assert.equal(retryDelayMs({ status: 422 }, 0, 60), undefined, 'a refusal is not retried')
})

test('github double - refuses a JWT signed by another key, and an expired or revoked installation token', async (t) => {
  const app = keys()
  const stranger = keys()
  const double = await startGitHubDouble({ appId: 12, publicKey: app.publicKey, tokenTtlMs: 400 })
  t.after(() => double.stop())
  const forged = createGitHubClient({ appId: 12, privateKey: stranger.privateKey, baseUrl: double.url, retries: 0 })
  await assert.rejects(forged.createComment('5', 'octo/repo', 1, 'x'), (error: GitHubApiError) => error.code === 'DX_BOUNTY_GITHUB' && error.status === 401)
  const wrongApp = createGitHubClient({ appId: 13, privateKey: app.privateKey, baseUrl: double.url, retries: 0 })
  await assert.rejects(wrongApp.createComment('5', 'octo/repo', 1, 'x'), (error: GitHubApiError) => error.status === 401)
  assert.equal(double.tokensIssued, 0)

  const jwtless = await fetch(`${double.url}/repos/octo/repo/issues/1/comments`, { method: 'POST', headers: { authorization: 'token ghs_made_up' }, body: '{"body":"x"}' })
  assert.equal(jwtless.status, 401)
  const github = createGitHubClient({ appId: 12, privateKey: app.privateKey, baseUrl: double.url, retries: 0 })
  await github.createComment('5', 'octo/repo', 1, 'fine')
  const token = double.tokensIssued
  await new Promise((resolve) => setTimeout(resolve, 500))
  // The cached token expired at the double: the call is refused, the token dropped, and the next call gets a new one.
  double.revokeTokens()
  await assert.rejects(github.createComment('5', 'octo/repo', 1, 'refused'), (error: GitHubApiError) => error.status === 401)
  await github.createComment('5', 'octo/repo', 1, 'fresh token')
  assert.equal(double.tokensIssued, token + 1)
  assert.deepEqual(double.comments().map((comment) => comment.body), ['fine', 'fresh token'])
})
