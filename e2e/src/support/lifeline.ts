/**
 * @module lifeline
 * Preloaded (`node --import`) into every process a test cluster starts: the
 * process exits when its stdin closes, that is when the test process that
 * started it is gone, even if that one was killed and could not clean up.
 */
process.stdin.on('end', () => process.exit(1))
process.stdin.on('error', () => process.exit(1))
process.stdin.resume()
// Only a lifeline: it must not keep an otherwise finished process alive.
;(process.stdin as unknown as { unref?: () => void }).unref?.()
