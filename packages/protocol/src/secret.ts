/**
 * @module secret
 * The secret the gateway signs identities with and services verify them with.
 * `DX_SECRET` wins; otherwise a random secret is kept in `<dataDir>/.dx-secret`
 * so every process started from the same folder agrees without setup.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from './errors.js'

/** Shorter secrets are refused everywhere: an HMAC key anyone could guess. */
export const MIN_SECRET_LENGTH = 32
const MIN_LENGTH = MIN_SECRET_LENGTH

/** Returns the shared secret, creating the development one on first use. */
export function loadSecret({ env = process.env, dataDir = 'data' }: { env?: NodeJS.ProcessEnv; dataDir?: string } = {}): string {
  const fromEnv = env.DX_SECRET
  if (fromEnv !== undefined) {
    if (fromEnv.length < MIN_LENGTH) throw new ConfigError(`DX_SECRET must be at least ${MIN_LENGTH} characters; generate one with: openssl rand -hex 32`)
    return fromEnv
  }
  const file = join(dataDir, '.dx-secret')
  try {
    const stored = readFileSync(file, 'utf8').trim()
    if (stored.length >= MIN_LENGTH) return stored
  } catch {
    // Not created yet: fall through and create it.
  }
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('hex')
  try {
    // `wx` fails if another process created it meanwhile; then read theirs.
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' })
    return secret
  } catch {
    const theirs = readFileSync(file, 'utf8').trim()
    // An empty or short secret would let anyone sign identities: refuse to start on it.
    if (theirs.length < MIN_LENGTH) throw new ConfigError(`${file} holds no usable secret (fewer than ${MIN_LENGTH} characters); delete it to have a new one made, or set DX_SECRET`)
    return theirs
  }
}
