/**
 * @module limits
 * The largest bodies the gateway reads from a service (docs/protocol.md §2.1,
 * §3, §4.1). It reads each as a stream and stops at the cap, so one broken or
 * hostile service cannot make the gateway hold megabytes per request.
 */

/** `GET /_dx/manifest`. */
export const MAX_MANIFEST_BYTES = 256 * 1024
/** `GET /health`. */
export const MAX_HEALTH_BYTES = 16 * 1024
/** A widget's fragment. */
export const MAX_FRAGMENT_BYTES = 1024 * 1024
