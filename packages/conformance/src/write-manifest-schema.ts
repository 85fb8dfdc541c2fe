/**
 * @module write-manifest-schema
 * Writes docs/manifest.schema.json from the zod schema (`npm run schema:manifest`).
 * manifest-json-schema.test.ts fails when the committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { manifestJsonSchemaText } from './manifest-json-schema.js'

const file = fileURLToPath(new URL('../../../docs/manifest.schema.json', import.meta.url))
writeFileSync(file, manifestJsonSchemaText())
process.stdout.write(`wrote ${file}\n`)
