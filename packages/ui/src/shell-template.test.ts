import { test } from 'node:test'
import assert from 'node:assert/strict'
import { serveUiAsset } from './assets.js'
import { renderPage, widgetFrame } from './shell.js'
import { html } from './html.js'

const decode = (text: string) => text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&quot;/g, '"').replace(/&amp;/g, '&')

/** The class tokens of the first `<tag …>` after `from`, sorted: the same look whatever the order of the tokens. */
function classesOf(document: string, tag: string, from = 0): string[] {
  const match = new RegExp(`<${tag}\\b[^>]*\\bclass="([^"]*)"`).exec(document.slice(from))
  return (match?.[1] ?? '').split(/\s+/).filter(Boolean).sort()
}

function htmxConfig(document: string): unknown {
  const match = /<meta name="htmx-config" content=(?:'([^']*)'|"([^"]*)")>/.exec(document)
  return JSON.parse(decode(match?.[1] ?? match?.[2] ?? 'null'))
}

test('shell template - the copyable page (/_dx/ui/shell.html) has the look and htmx settings of the SDK’s pages', () => {
  const served = serveUiAsset('shell.html', undefined)
  assert.equal(served.status, 200)
  assert.match(served.headers['content-type'] ?? '', /^text\/html/)
  const template = served.body?.toString() ?? ''
  const sdk = renderPage(
    { title: 'Todo', homeUrl: 'http://localhost:4040', nav: [{ href: 'http://localhost:4040', label: 'Home' }, { href: '/todo', label: 'Todo', current: true }], slots: [{ name: 'todo.list', title: 'Todo' }] },
    [widgetFrame({ slot: 'todo.list', title: 'Todo', body: html`<p>hi</p>` })],
  )
  assert.deepEqual(htmxConfig(template), htmxConfig(sdk), 'the same htmx settings: 422 answers are swapped')
  for (const tag of ['body', 'header', 'nav', 'main', 'footer']) assert.deepEqual(classesOf(template, tag), classesOf(sdk, tag), `<${tag}> looks the same`)
  const afterHeader = (document: string) => document.indexOf('<header')
  assert.deepEqual(classesOf(template, 'div', afterHeader(template)), classesOf(sdk, 'div', afterHeader(sdk)), 'the header’s bar')
  assert.deepEqual(classesOf(template, 'a', afterHeader(template)), classesOf(sdk, 'a', afterHeader(sdk)), 'the brand link')
  const current = (document: string) => /<a\b[^>]*aria-current="page"[^>]*>/.exec(document)?.[0] ?? ''
  assert.deepEqual(classesOf(current(template), 'a'), classesOf(current(sdk), 'a'), 'the current page in the navigation')
  assert.match(template, /<body\b[^>]*hx-ext="morph"/, 'hx-swap="morph" works in every widget')
  const icon = (document: string) => /<link rel="icon"[^>]*>/.exec(document)?.[0]
  assert.equal(icon(template), icon(sdk), 'the same icon, inline: no page asks for /favicon.ico')
  assert.deepEqual([...new Set(template.match(/\{\{[a-z]+\}\}/g))].sort(), ['{{fragment}}', '{{gateway}}', '{{service}}', '{{title}}', '{{widget}}'])
})

test('shell template - shared assets may be loaded from another origin (a service’s own page links them on the gateway)', () => {
  for (const name of ['app.css', 'htmx.min.js', 'idiomorph-ext.min.js', 'dx.js', 'widget-events.js', 'asset-loader.js', 'apply-actions.js', 'live-wire.js', 'shell.html']) {
    assert.equal(serveUiAsset(name, undefined).headers['access-control-allow-origin'], '*', name)
  }
})
