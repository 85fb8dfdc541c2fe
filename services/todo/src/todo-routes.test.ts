import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { todoService } from './index.js'

async function build(t: TestContext) {
  const { app, close } = await todoService.build({ dataDir: mkdtempSync(join(tmpdir(), 'dx-todo-')), logLevel: 'silent', env: { DX_SECRET: 'k'.repeat(40) }, databaseUrl: undefined })
  t.after(close)
  const post = (url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } })
  const titles = async () => [...(await app.inject({ url: '/todo', headers: { 'x-dx-fragment': '1' } })).body.matchAll(/class="todo-title[^"]*">([^<]*)</g)].map((m) => m[1])
  return { app, post, titles }
}

test('todo - a plain form post adds the todo and redirects back to the page it came from', async (t) => {
  const { post, titles } = await build(t)
  const response = await post('/todo/items', { title: '  Buy milk  ' }, { referer: 'http://localhost:4040/?tab=1' })
  assert.equal(response.statusCode, 303)
  assert.equal(response.headers.location, '/?tab=1')
  assert.deepEqual(await titles(), ['Buy milk'], 'trimmed')
})

test('todo - htmx gets the re-rendered widget, not a redirect', async (t) => {
  const { post } = await build(t)
  const response = await post('/todo/items', { title: 'Write docs' }, { 'hx-request': 'true' })
  assert.equal(response.statusCode, 200)
  assert.match(response.body, /^<div id="todo-app"/)
  assert.match(response.body, /Write docs/)
  assert.equal(response.headers.link, '</todo/assets/todo.css>; rel=preload; as=style')
})

test('todo - a post repeated with the same Idempotency-Key (or form key) adds the todo once', async (t) => {
  const { app, post, titles } = await build(t)
  const page = (await app.inject({ url: '/todo', headers: { 'x-dx-fragment': '1' } })).body
  const key = /hx-headers="\{&quot;Idempotency-Key&quot;:&quot;([0-9a-f-]{36})&quot;\}"/.exec(page)?.[1]
  assert.ok(key, 'the add form carries a key')
  assert.match(page, new RegExp(`<input type="hidden" name="key" value="${key}">`))
  for (let i = 0; i < 2; i++) assert.equal((await post('/todo/items', { title: 'Once' }, { 'hx-request': 'true', 'idempotency-key': key })).statusCode, 200)
  for (let i = 0; i < 2; i++) assert.equal((await post('/todo/items', { title: 'Also once', key: 'plain-form-1' })).statusCode, 303)
  await post('/todo/items', { title: 'Once' })
  assert.deepEqual(await titles(), ['Once', 'Also once', 'Once'], 'a post without a key is a new todo each time')
})

test('todo - empty and 501-character titles get a clear message and change nothing', async (t) => {
  const { post, titles } = await build(t)
  await post('/todo/items', { title: 'Keep me' })
  const empty = await post('/todo/items', { title: '   ' }, { 'hx-request': 'true' })
  assert.equal(empty.statusCode, 422)
  assert.match(empty.body, /role="alert"[^>]*>Write something first/)
  const long = 'x'.repeat(501)
  const tooLong = await post('/todo/items', { title: long })
  assert.equal(tooLong.statusCode, 422)
  assert.match(tooLong.body, /That title is 501 characters long; the limit is 500/)
  assert.match(tooLong.body, /<!doctype html>/, 'without JavaScript the answer is a whole page')
  assert.ok(tooLong.body.includes(`value="${long}"`), 'what was typed is kept')
  assert.equal((await post('/todo/items', { title: 'é'.repeat(500) })).statusCode, 303, '500 characters are fine, counted as a person counts them')
  assert.deepEqual((await titles()).length, 2)
})

test('todo - HTML in a title is shown as text', async (t) => {
  const { app, post } = await build(t)
  await post('/todo/items', { title: '<script>alert(1)</script><img src=x onerror=alert(2)>' })
  const page = await app.inject({ url: '/todo' })
  assert.ok(!page.body.includes('<script>alert(1)'))
  assert.ok(!page.body.includes('<img src=x'))
  assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt;/)
})

test('todo - edit, toggle, remove and clear completed', async (t) => {
  const { app, post, titles } = await build(t)
  await post('/todo/items', { title: 'one' })
  await post('/todo/items', { title: 'two' })
  const ids = [...(await app.inject({ url: '/todo', headers: { 'x-dx-fragment': '1' } })).body.matchAll(/id="todo-([0-9a-f-]{36})"/g)].map((m) => m[1])
  assert.equal(ids.length, 2)
  assert.equal((await post(`/todo/items/${ids[0]}`, { title: 'one, edited' })).statusCode, 303)
  const badEdit = await post(`/todo/items/${ids[0]}`, { title: '' }, { 'hx-request': 'true' })
  assert.equal(badEdit.statusCode, 422)
  assert.match(badEdit.body, /<details class="todo-edit mt-1" open>/, 'the edit form stays open with its message')
  await post(`/todo/items/${ids[1]}/toggle`, {})
  const fragment = (await app.inject({ url: '/todo', headers: { 'x-dx-fragment': '1' } })).body
  assert.match(fragment, /1 to do · 1 done/)
  assert.match(fragment, /Clear completed \(1\)/)
  await post('/todo/clear-completed', {})
  assert.deepEqual(await titles(), ['one, edited'])
  await post(`/todo/items/${ids[0]}/delete`, {})
  assert.deepEqual(await titles(), [])
  const gone = await post(`/todo/items/${ids[0]}/toggle`, {}, { 'hx-request': 'true' })
  assert.match(gone.body, /no longer exists/)
})

test('todo - its own URL serves a full page in the shared shell, with a way back to the main app', async (t) => {
  const { app } = await build(t)
  const page = await app.inject({ url: '/todo' })
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /<title>Todo · distributex<\/title>/)
  assert.match(page.body, /href="http:\/\/localhost:4040"[^>]*>Home</)
  assert.match(page.body, /<section slot="todo.list"/)
  const manifest = await app.inject({ url: '/_dx/manifest' })
  assert.equal(manifest.json().widgets[0].path, '/todo')
  assert.equal((await app.inject({ url: '/health' })).json().status, 'ok')
})
