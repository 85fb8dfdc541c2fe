/**
 * @module manifest
 * The manifest a service serves at `/_dx/manifest`: who it is, where it is
 * mounted and which widgets the gateway may compose. The same schema validates
 * what a TypeScript service declares and what the gateway receives from any stack.
 */
import { z } from 'zod'
import { ManifestError } from './errors.js'
import { parseOrThrow } from './describe-issues.js'
import { PROTOCOL_VERSION } from './headers.js'
import { CspAdditionsSchema } from './security-headers.js'

const slug = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'use 1 to 32 lowercase letters, digits or dashes, starting with a letter')

/** A path on the service, absolute and under its mount. */
const servicePath = z.string().regex(/^\/[^\s]*$/, 'must be an absolute path such as /todo/widget')

export const WidgetAssetsSchema = z.object({
  /** Stylesheets the widget needs, loaded once per page. */
  css: z.array(servicePath).max(16).default([]),
  /** Scripts the widget needs (loaded with `defer`), once per page. */
  js: z.array(servicePath).max(16).default([]),
})
export type WidgetAssets = z.infer<typeof WidgetAssetsSchema>

export const WidgetSchema = z.object({
  name: slug,
  title: z.string().min(1).max(80),
  /** Path the gateway requests (with `x-dx-fragment: 1`) to get the widget's HTML. */
  path: servicePath,
  description: z.string().max(500).optional(),
  assets: WidgetAssetsSchema.default({ css: [], js: [] }),
})
export type Widget = z.infer<typeof WidgetSchema>

export const ManifestSchema = z.object({
  protocol: z.literal(PROTOCOL_VERSION),
  name: slug,
  version: z.string().min(1).max(64),
  title: z.string().min(1).max(80),
  /** Path prefix the service owns, `/<name>`: the gateway proxies it unchanged. */
  mount: servicePath,
  /** Human-readable list of the routes under the mount, shown on the admin page. */
  routes: z.array(z.string().max(200)).max(200).default([]),
  widgets: z.array(WidgetSchema).max(32).default([]),
  /** Sources the service adds to the pages' Content-Security-Policy (docs/protocol.md#security-headers). */
  csp: CspAdditionsSchema.optional(),
  /** The largest request body the service accepts, in bytes; the gateway refuses larger ones (413) before forwarding. */
  bodyLimit: z.number().int().min(1024).max(100 * 1024 * 1024).optional(),
  /**
   * Paths under the mount that receive signed webhook deliveries (GitHub's, say). The service verifies every
   * delivery's signature itself, and the sender posts from a few addresses, so the gateway does not count these
   * against a client address's rate limit: a busy sender would otherwise get 429 and its deliveries be lost.
   */
  webhooks: z.array(servicePath.max(200)).max(16).default([]),
})

export type Manifest = z.infer<typeof ManifestSchema>
/** What a service author writes: defaults may be left out. */
export type ManifestInput = z.input<typeof ManifestSchema>

/** Validates an untrusted manifest, throwing a `ManifestError` that lists every broken field. */
export function parseManifest(input: unknown, source = 'manifest'): Manifest {
  const manifest = parseOrThrow(ManifestSchema, input, source, (message, problems) => new ManifestError(message, { fields: { problems } }))
  if (manifest.mount !== `/${manifest.name}`) {
    throw new ManifestError(`${source}: mount must be "/${manifest.name}" (the service's name), got "${manifest.mount}"`)
  }
  for (const path of manifest.webhooks) {
    if (!isUnderMount(path, manifest.mount) || path.includes('?')) {
      throw new ManifestError(`${source}: webhook path "${path}" must be a path under the mount ${manifest.mount}, without a query`)
    }
  }
  for (const widget of manifest.widgets) {
    if (!isUnderMount(widget.path, manifest.mount)) {
      throw new ManifestError(`${source}: widget "${widget.name}" path "${widget.path}" must be under the mount ${manifest.mount}`)
    }
  }
  return manifest
}

/** True when `path` is the mount itself or below it (`/todo`, `/todo/x`, `/todo?x`). */
export function isUnderMount(path: string, mount: string): boolean {
  return path === mount || path.startsWith(`${mount}/`) || path.startsWith(`${mount}?`)
}
