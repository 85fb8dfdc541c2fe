/**
 * @module headers
 * Names of the HTTP headers the gateway and services exchange (see docs/protocol.md).
 * The gateway strips every `x-dx-*` header a browser sends, so a service can trust them.
 */

/** Version of the protocol this code speaks; sent by the gateway on every request. */
export const PROTOCOL_VERSION = 1

export const HEADERS = {
  /** Correlates logs across the gateway and services. */
  requestId: 'x-request-id',
  /** Protocol version the gateway speaks. */
  protocol: 'x-dx-protocol',
  /** `1` when the gateway asks for a widget as a fragment to compose into its page. */
  fragment: 'x-dx-fragment',
  /** Path prefix under which the gateway mounts the service, e.g. `/todo`. */
  mount: 'x-dx-mount',
  /** Public origin of the gateway, so a service can link back to the main app. */
  gateway: 'x-dx-gateway',
  /** Preferred locale of the person, from the browser's Accept-Language. */
  locale: 'x-dx-locale',
  /** The person, signed by the gateway: `<payload>.<signature>` (see identity.ts). */
  identity: 'x-dx-identity',
  /** Sent by a service as `rotate` after a privilege change: the gateway gives the session a new cookie (same person). */
  session: 'x-dx-session',
  /** Sent by a service on every response: its version, so the gateway refreshes a stale manifest. */
  serviceVersion: 'x-dx-service-version',
} as const

/** Prefix of every header the gateway owns; browsers may not set them. */
export const RESERVED_HEADER_PREFIX = 'x-dx-'

/** Well-known paths every service serves at its root (not under its mount). */
export const SERVICE_PATHS = {
  manifest: '/_dx/manifest',
  health: '/health',
} as const
