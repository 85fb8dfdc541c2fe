/**
 * @module manifest-cache
 * A service's manifest as the gateway keeps it: fetched once, again only when
 * a response carries another version, with `If-None-Match` so an unchanged
 * manifest is not sent again; read as a stream and abandoned past its cap.
 * A manifest that failed (too large, invalid) is not fetched again for the
 * same version before a back-off, so a broken service cannot make the gateway
 * download it on every page.
 */
import { ManifestError, SERVICE_PATHS, parseManifest, type Manifest } from '@distributex/protocol'
import type { FastifyBaseLogger } from 'fastify'
import { readCapped } from '../routing/read-capped.js'
import type { ServiceRouter } from '../routing/service-router.js'

const MANIFEST_TIMEOUT_MS = 2000
const RETRY_FIRST_MS = 2000
const RETRY_MAX_MS = 60_000

export class ManifestCache {
  #manifest: Manifest | undefined
  #etag: string | undefined
  #load: Promise<Manifest> | undefined
  #failure: { error: Error; at: number; retryAt: number; count: number } | undefined
  readonly #name: string
  readonly #where: string
  readonly #router: ServiceRouter
  readonly #maxBytes: number
  readonly #log: FastifyBaseLogger

  constructor(options: { name: string; where: string; router: ServiceRouter; maxBytes: number; log: FastifyBaseLogger }) {
    this.#name = options.name
    this.#where = options.where
    this.#router = options.router
    this.#maxBytes = options.maxBytes
    this.#log = options.log
  }

  get current(): Manifest | undefined {
    return this.#manifest
  }

  /** Why the last fetch failed, while no fetch has succeeded since. */
  get problem(): string | undefined {
    return this.#failure?.error.message
  }

  /** The cached manifest, or one fetched now; a recent failure is answered at once without fetching. */
  ensure(signal?: AbortSignal): Promise<Manifest> {
    if (this.#manifest) return Promise.resolve(this.#manifest)
    if (this.#failure && Date.now() < this.#failure.retryAt) return Promise.reject(this.#failure.error)
    return this.refresh(signal)
  }

  /** Fetches again (concurrent callers share one fetch). */
  refresh(signal?: AbortSignal): Promise<Manifest> {
    this.#load ??= this.#fetch(signal)
      .then(
        (manifest) => {
          this.#failure = undefined
          return manifest
        },
        (error: Error) => {
          const count = (this.#failure?.count ?? 0) + 1
          const now = Date.now()
          this.#failure = { error, at: now, count, retryAt: now + Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (count - 1)) }
          throw error
        },
      )
      .finally(() => {
        this.#load = undefined
      })
    return this.#load
  }

  /** A response carried `version`: a version the cache does not have is fetched in the background. */
  noteVersion(version: string | undefined): void {
    if (!version || version === this.#manifest?.version) return
    if (!this.#manifest && this.#failure && Date.now() < this.#failure.retryAt) return
    this.refresh().catch((error: Error) => this.#log.warn({ err: error }, 'manifest refresh failed'))
  }

  async #fetch(signal?: AbortSignal): Promise<Manifest> {
    const timeout = AbortSignal.timeout(MANIFEST_TIMEOUT_MS)
    const { statusCode, headers, body } = await this.#router.send({
      path: SERVICE_PATHS.manifest,
      method: 'GET',
      headers: { accept: 'application/json', ...(this.#manifest && this.#etag ? { 'if-none-match': this.#etag } : {}) },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    })
    if (statusCode === 304 && this.#manifest) {
      await body.dump()
      return this.#manifest
    }
    if (statusCode !== 200) {
      await body.dump()
      throw new ManifestError(`manifest answered ${statusCode}`, { fields: { status: statusCode } })
    }
    const text = await readCapped(body, this.#maxBytes, 'a manifest', headers['content-length'])
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      throw new ManifestError(`the manifest is not JSON (${(error as Error).message})`, { cause: error })
    }
    const manifest = parseManifest(json, `${this.#name} manifest at ${this.#where}${SERVICE_PATHS.manifest}`)
    if (manifest.name !== this.#name) throw new ManifestError(`${this.#where} says it is "${manifest.name}", but is configured as "${this.#name}"`)
    if (this.#manifest?.version !== manifest.version) this.#log.info({ version: manifest.version }, 'manifest loaded')
    const etag = headers.etag
    this.#etag = typeof etag === 'string' ? etag : undefined
    this.#manifest = manifest
    return manifest
  }
}
