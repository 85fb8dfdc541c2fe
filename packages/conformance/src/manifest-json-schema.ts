/**
 * @module manifest-json-schema
 * The manifest's JSON Schema, generated from the zod schema the gateway and the
 * SDK validate with, so docs/manifest.schema.json can never drift from the code.
 */
import { z } from 'zod'
import { ManifestSchema, PROTOCOL_VERSION } from '@distributex/protocol'

/** The JSON Schema of what a service serves at `/_dx/manifest` (fields with defaults may be left out). */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ManifestSchema, { io: 'input', target: 'draft-2020-12' })
  return {
    $schema: schema.$schema,
    title: `distributex service manifest, protocol ${PROTOCOL_VERSION}`,
    description: 'Served by every service at GET /_dx/manifest (docs/protocol.md §2). Beyond this schema: "mount" must be "/<name>", and every widget path must be the mount or below it.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  }
}

/** The schema as the committed file holds it: two-space JSON and a final newline. */
export function manifestJsonSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`
}
