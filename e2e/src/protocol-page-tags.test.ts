/**
 * docs/protocol.md §4.2 gives the tags a service's own page uses to load the
 * shared scripts. A team in another stack copies them as they are, so each must
 * load its script the way the gateway's own pages do: a module stays a module.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway, parseGatewayConfig } from '@distributex/gateway'
import { freePort } from '@distributex/testkit'

/** Each `/_dx/ui/<name>` script of the HTML, by name: "module" or "classic". */
function sharedScripts(text: string): Map<string, string> {
  const scripts = new Map<string, string>()
  for (const [tag, name] of text.matchAll(/<script\b[^>]*\bsrc="[^"]*\/_dx\/ui\/(?:[A-Za-z0-9]+\/)?([\w.-]+?)(?:\?[^"]*)?"[^>]*>/g)) {
    if (name) scripts.set(name, /\btype="module"/.test(tag) ? 'module' : 'classic')
  }
  return scripts
}

test('protocol doc - the §4.2 page tags load each shared script as the gateway’s pages do', async (t) => {
  const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8')
  const documented = sharedScripts(doc.slice(doc.indexOf('### 4.2'), doc.indexOf('### 4.3')))
  assert.ok(documented.has('dx.js'), '§4.2 shows how to load dx.js')

  const port = await freePort()
  // One service that is not running: the page (the shell) is served all the same.
  const config = parseGatewayConfig({ gateway: { port }, services: { gone: { url: 'http://127.0.0.1:9' } }, pages: [{ path: '/', title: 'Home', widgets: [{ service: 'gone', widget: 'w' }] }] })
  const gateway = await createGateway(config, { port, env: { DX_SECRET: 'd'.repeat(48) }, dataDir: mkdtempSync(join(tmpdir(), 'dx-doc-')), logLevel: 'silent' })
  await gateway.start()
  t.after(() => gateway.stop())
  const served = sharedScripts(await (await fetch(`${gateway.url}/`)).text())

  for (const [name, kind] of documented) assert.equal(kind, served.get(name), `${name}: the gateway loads it as ${served.get(name) ?? 'nothing'}`)
})
