import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'undici'
import { startGateway } from './test-support/start-gateway.js'

test('gateway - its own 404 is a page for a browser and {error, message} JSON for a program that asks for JSON', async (t) => {
  const gateway = await startGateway({}, [])
  t.after(() => gateway.stop())
  const page = await request(`${gateway.url}/nowhere`, { headers: { accept: 'text/html' } })
  assert.equal(page.statusCode, 404)
  assert.match(await page.body.text(), /^<!doctype html>[\s\S]*Nothing here/)
  const json = await request(`${gateway.url}/nowhere`, { headers: { accept: 'application/json' } })
  assert.equal(json.statusCode, 404)
  assert.match(String(json.headers['content-type']), /^application\/json/)
  const body = (await json.body.json()) as Record<string, string>
  assert.equal(body.error, 'Not found')
  assert.match(body.message ?? '', /No page or service answers at \/nowhere/)
})

test('gateway - serves the shell as a copyable template, and the shared assets to pages on other origins', async (t) => {
  const gateway = await startGateway({}, [])
  t.after(() => gateway.stop())
  const template = await request(`${gateway.url}/_dx/ui/shell.html`)
  assert.equal(template.statusCode, 200)
  assert.match(String(template.headers['content-type']), /^text\/html/)
  assert.match(await template.body.text(), /^<!doctype html>[\s\S]*<header[\s\S]*<nav[\s\S]*<main[\s\S]*\{\{fragment\}\}[\s\S]*<footer/)
  // A service's own page (another origin) loads dx.js as a module: only with CORS.
  const dx = await request(`${gateway.url}/_dx/ui/dx.js`, { headers: { origin: 'http://127.0.0.1:4004' } })
  assert.equal(dx.statusCode, 200)
  assert.equal(dx.headers['access-control-allow-origin'], '*')
  await dx.body.dump()
})
