import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'

const CLIENTS = ['ioredis', 'nats', 'kafkajs']

/**
 * The broker clients a fresh process has loaded after importing `entries` and running `then`
 * (CommonJS modules land in the require cache).
 */
function clientsLoadedBy(entries: string[], then = ''): string[] {
  const script = `
    import { createRequire } from 'node:module'
    const modules = []
    for (const entry of ${JSON.stringify(entries)}) modules.push(await import(entry))
    ${then}
    const loaded = Object.keys(createRequire(import.meta.url).cache)
    console.log(JSON.stringify(${JSON.stringify(CLIENTS)}.filter((name) => loaded.some((path) => path.includes('/node_modules/' + name + '/')))))
    process.exit(0)`
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('.', import.meta.url), encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
  return JSON.parse(result.stdout) as string[]
}

test('entries - importing any entry loads no broker client, nor does the in-process bus', () => {
  const entries = ['@distributex/bus', '@distributex/bus/core', '@distributex/bus/memory', '@distributex/bus/redis', '@distributex/bus/nats', '@distributex/bus/kafka', '@distributex/bus/backoff']
  assert.deepEqual(clientsLoadedBy(entries), [])
  assert.deepEqual(clientsLoadedBy(['@distributex/bus'], `modules[0].createBus(undefined)`), [])
})

test('entries - a bus loads the client of its own broker only, once it is created and used', () => {
  // Port 1: nothing listens; the clients are loaded all the same, and the process exits right after.
  assert.deepEqual(clientsLoadedBy(['@distributex/bus'], `modules[0].createBus('redis://127.0.0.1:1').read('t').catch(() => undefined)`), ['ioredis'])
  assert.deepEqual(clientsLoadedBy(['@distributex/bus'], `modules[0].createBus('nats://127.0.0.1:1').read('t').catch(() => undefined)`), ['nats'])
  assert.deepEqual(clientsLoadedBy(['@distributex/bus'], `modules[0].createBus('kafka://127.0.0.1:1').read('t').catch(() => undefined)`), ['kafkajs'])
})
