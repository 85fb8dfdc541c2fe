import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'

const CLIENTS = ['ioredis', 'nats', 'kafkajs']

/** The broker clients a fresh process has loaded after importing `entries` (CommonJS modules land in the require cache). */
function clientsLoadedBy(...entries: string[]): string[] {
  const script = `
    import { createRequire } from 'node:module'
    for (const entry of ${JSON.stringify(entries)}) await import(entry)
    const loaded = Object.keys(createRequire(import.meta.url).cache)
    console.log(JSON.stringify(${JSON.stringify(CLIENTS)}.filter((name) => loaded.some((path) => path.includes('/node_modules/' + name + '/')))))`
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('.', import.meta.url), encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
  return JSON.parse(result.stdout) as string[]
}

test('entries - the core and the memory adapter load no broker client', () => {
  assert.deepEqual(clientsLoadedBy('@distributex/bus/core', '@distributex/bus/memory', '@distributex/bus/backoff'), [])
})

test('entries - each adapter entry loads its own client only; the main entry loads them all', () => {
  assert.deepEqual(clientsLoadedBy('@distributex/bus/redis'), ['ioredis'])
  assert.deepEqual(clientsLoadedBy('@distributex/bus/nats'), ['nats'])
  assert.deepEqual(clientsLoadedBy('@distributex/bus/kafka'), ['kafkajs'])
  assert.deepEqual(clientsLoadedBy('@distributex/bus'), CLIENTS)
})
