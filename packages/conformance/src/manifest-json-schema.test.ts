import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { manifestJsonSchema, manifestJsonSchemaText } from './manifest-json-schema.js'

const committed = new URL('../../../docs/manifest.schema.json', import.meta.url)

test('manifest schema - docs/manifest.schema.json is what the zod schema generates (run "npm run schema:manifest" after changing it)', () => {
  assert.equal(readFileSync(committed, 'utf8'), manifestJsonSchemaText())
})

test('manifest schema - it describes the fields a service in another language needs', () => {
  const schema = manifestJsonSchema() as { required: string[]; properties: Record<string, { pattern?: string; const?: unknown }> }
  assert.deepEqual([...schema.required].sort(), ['mount', 'name', 'protocol', 'title', 'version'])
  assert.equal(schema.properties.protocol?.const, 1)
  assert.equal(schema.properties.name?.pattern, '^[a-z][a-z0-9-]{0,31}$')
})
