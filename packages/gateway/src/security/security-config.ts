/**
 * @module security-config
 * The `gateway.security` block of `distributex.config.json`: browser headers,
 * limits at the front door and session lifetimes (docs/operations.md). Kept
 * apart from the rest of the configuration so that each concern reads alone.
 */
import { z } from 'zod'

const frameSource = z.string().regex(/^('none'|'self'|https:\/\/[^\s;,']+)$/, "use 'none', 'self' or an https origin such as https://intranet.example.com")

export const SecurityConfigSchema = z.object({
  /** Who may frame the gateway's pages (CSP frame-ancestors). */
  frameAncestors: z.array(frameSource).min(1).max(16).default(["'none'"]),
  /** Report CSP violations without blocking anything (rollout). */
  cspReportOnly: z.boolean().default(false),
  /** An origin serving widget assets (a CDN), allowed for scripts, styles, images and fonts. */
  assetOrigin: z.url({ protocol: /^https$/ }).optional(),
  /** HSTS max-age when the public URL is https (0: no HSTS). */
  hstsMaxAgeSeconds: z.number().int().min(0).max(2 * 365 * 24 * 3600).default(365 * 24 * 3600),
  /** Proxies whose X-Forwarded-For/-Proto are believed: addresses or CIDRs (e.g. "10.0.0.0/8"). None by default. */
  trustedProxies: z.array(z.string().min(1).max(64)).max(64).default([]),
  /** Largest request body forwarded to a service that declares no `bodyLimit`, in bytes. */
  bodyLimitBytes: z.number().int().min(1024).max(100 * 1024 * 1024).default(1024 * 1024),
  rateLimit: z
    .object({
      /** Requests per client per window; 0 turns the limit off. */
      max: z.number().int().min(0).max(1_000_000).default(600),
      windowMs: z.number().int().min(1000).max(3_600_000).default(60_000),
      /** Requests from this machine are not limited (default: unless the public URL is https, i.e. in development). */
      exemptLoopback: z.boolean().optional(),
    })
    .prefault({}),
  session: z
    .object({
      /** A session unused for this long ends. */
      idleMinutes: z.number().int().min(1).max(60 * 24 * 90).default(60 * 24 * 7),
      /** A session ends this long after it began, however much it is used. */
      absoluteHours: z.number().int().min(1).max(24 * 400).default(24 * 30),
      /** How long a rotated cookie still works, for requests the browser sent before it got the new one. */
      rotationGraceSeconds: z.number().int().min(0).max(300).default(10),
    })
    .prefault({}),
})

export type SecurityConfig = z.infer<typeof SecurityConfigSchema>
