/**
 * @module config
 * The gateway's configuration: which services exist, where they answer and
 * which widgets make up each page. Read from `distributex.config.json`;
 * `DX_SERVICE_<NAME>_URL` overrides a service's address for a deployment.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { ConfigError, MAX_FRAGMENT_BYTES, MAX_HEALTH_BYTES, MAX_MANIFEST_BYTES, parseOrThrow } from '@distributex/protocol'
import { SecurityConfigSchema } from './security/security-config.js'

const name = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'use 1 to 32 lowercase letters, digits or dashes, starting with a letter')

export const ServiceConfigSchema = z
  .object({
    /** Where the gateway reaches the service, e.g. `http://127.0.0.1:4001`. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** Port the service listens on when started by `distributex start`. */
    port: z.number().int().min(1).max(65535).optional(),
    /** Module that exports the service (`default` export of `defineService`). */
    module: z.string().optional(),
    /** A command that starts a service written in another stack, e.g. `["python3", "services/polls/polls.py"]`; it gets PORT in its environment. */
    command: z.array(z.string().min(1)).min(1).max(64).optional(),
    /** Title used before the manifest is known (e.g. while the service is down). */
    title: z.string().max(80).optional(),
  })
  .refine((service) => service.url !== undefined || service.port !== undefined, 'give the service a "url" or a "port"')
  .refine((service) => !(service.module && service.command), 'give the service a "module" (TypeScript) or a "command" (any other stack), not both')
export type ServiceConfig = z.infer<typeof ServiceConfigSchema>

export const WidgetRefSchema = z.object({
  service: name,
  widget: name,
  /** How long the page waits for this widget before showing it as unavailable. */
  timeoutMs: z.number().int().min(10).max(60_000).optional(),
  /** A primary widget sets the page's status: if it fails, so does the page. */
  primary: z.boolean().default(false),
})
export type WidgetRef = z.infer<typeof WidgetRefSchema>

export const PageConfigSchema = z.object({
  path: z.string().regex(/^\/[^\s]*$/, 'must start with /'),
  title: z.string().min(1).max(80),
  widgets: z.array(WidgetRefSchema).min(1).max(32),
})
export type PageConfig = z.infer<typeof PageConfigSchema>

/** How the gateway routes around failing processes and what it reads from services (docs/operations.md, Routing around failure). */
export const ResilienceConfigSchema = z.object({
  /** A proxied request whose response headers have not arrived after this long answers 504. */
  headersTimeoutMs: z.number().int().min(100).max(600_000).default(10_000),
  /** A proxied response body silent this long between two chunks is cut off (event streams are exempt). */
  bodyTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
  /** Retries after a request reached a process (timeouts, connections dying mid-request) stay under this share of requests. */
  retryBudgetPercent: z.number().min(0).max(100).default(20),
  /** Consecutive failures (refused or dropped connections, timeouts, 5xx) that take a process out of balancing. */
  ejectAfterFailures: z.number().int().min(1).max(100).default(3),
  /** Consecutive successes that bring an ejected process back. */
  readmitAfterSuccesses: z.number().int().min(1).max(100).default(2),
  /** First ejection time; each further ejection doubles it, up to `maxEjectionMs`. */
  baseEjectionMs: z.number().int().min(100).max(600_000).default(2_000),
  maxEjectionMs: z.number().int().min(100).max(3_600_000).default(60_000),
  /** Largest manifest, health and fragment bodies the gateway reads; beyond, it stops reading. */
  maxManifestBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(MAX_MANIFEST_BYTES),
  maxHealthBytes: z.number().int().min(64).max(1024 * 1024).default(MAX_HEALTH_BYTES),
  maxFragmentBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(MAX_FRAGMENT_BYTES),
})

export type ResilienceConfig = z.infer<typeof ResilienceConfigSchema>

/** The resilience settings with every default. */
export const RESILIENCE_DEFAULTS: ResilienceConfig = ResilienceConfigSchema.parse({})


/**
 * A part only other services call (e.g. the Ledger's gRPC): `distributex start` runs it and tells
 * the services its address as `DX_<NAME>_ADDRESS`; the gateway never routes to it.
 */
export const InternalConfigSchema = z.object({
  /** Port it listens on, on the internal address. */
  port: z.number().int().min(1).max(65535),
  /** Address to bind (default 127.0.0.1: not reachable from other machines). */
  host: z.string().default('127.0.0.1'),
  /** Module whose default export has `start({ port, host, env })`. */
  module: z.string(),
})
export type InternalConfig = z.infer<typeof InternalConfigSchema>

export const GatewayConfigSchema = z.object({
  gateway: z
    .object({
      port: z.number().int().min(0).max(65535).default(4040),
      host: z.string().default('127.0.0.1'),
      /** The URL people use to reach the gateway. */
      publicUrl: z.string().optional(),
      /** Default per-widget timeout. */
      widgetTimeoutMs: z.number().int().min(10).max(60_000).default(1500),
      /** How often each service's `/health` is checked. */
      healthIntervalMs: z.number().int().min(100).max(60_000).default(2000),
      /** How long the page shell may wait for widgets, so a fast page is sent in one write (0: send the shell at once). */
      flushWindowMs: z.number().int().min(0).max(100).default(2),
      /** Timeouts, retries, outlier detection and body caps (see ResilienceConfigSchema). */
      resilience: ResilienceConfigSchema.prefault({}),
      /** Browser headers, limits and session lifetimes (docs/security.md). */
      security: SecurityConfigSchema.prefault({}),
    })
    .prefault({}),
  services: z.record(name, ServiceConfigSchema),
  /** Internal parts: started with the services, never routed by the gateway. */
  internal: z.record(name, InternalConfigSchema).default({}),
  pages: z.array(PageConfigSchema).default([]),
})

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>
export type GatewayConfigInput = z.input<typeof GatewayConfigSchema>

/** Validates a configuration object, naming every broken field and every dangling reference. */
export function parseGatewayConfig(input: unknown, source = 'configuration'): GatewayConfig {
  const config = parseOrThrow(GatewayConfigSchema, input, source, (message, problems) => new ConfigError(message, { fields: { problems } }))
  for (const internal of Object.keys(config.internal)) {
    if (config.services[internal]) throw new ConfigError(`${source}: "${internal}" is both a service and an internal part; an internal part must not be routed by the gateway, so keep it under "internal" only`)
  }
  for (const page of config.pages) {
    for (const ref of page.widgets) {
      if (!config.services[ref.service]) {
        throw new ConfigError(`${source}: page "${page.path}" uses widget "${ref.widget}" of service "${ref.service}", which is not under "services"`)
      }
    }
  }
  return config
}

/** Reads and validates a JSON configuration file. */
export function loadGatewayConfig(file: string): GatewayConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    throw new ConfigError(`cannot read ${file}: ${(cause as Error).message}`, { cause })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new ConfigError(`${file} is not valid JSON: ${(cause as Error).message}`, { cause })
  }
  return parseGatewayConfig(json, file)
}

/**
 * Where the gateway reaches a service: `DX_SERVICE_<NAME>_URL`, then `url`, then `port` on
 * localhost. The variable may list several processes of the service, comma-separated:
 * the gateway then balances between them.
 */
export function serviceUrls(name: string, service: ServiceConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  const override = env[`DX_SERVICE_${name.toUpperCase().replace(/-/g, '_')}_URL`]
  const urls = override ? override.split(',') : [service.url ?? `http://127.0.0.1:${service.port}`]
  const cleaned = urls.map((url) => url.trim().replace(/\/$/, '')).filter(Boolean)
  for (const url of cleaned) {
    if (!/^https?:\/\/[^\s/]+$/.test(url)) throw new ConfigError(`service "${name}": "${url}" is not an http(s) origin such as http://127.0.0.1:4001`)
  }
  return cleaned
}

/** The first address of a service (see `serviceUrls`). */
export function serviceUrl(name: string, service: ServiceConfig, env: NodeJS.ProcessEnv = process.env): string {
  return serviceUrls(name, service, env)[0] ?? `http://127.0.0.1:${service.port}`
}
