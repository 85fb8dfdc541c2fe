/**
 * @module redis/scripts
 * Lua scripts that keep a stream and its epoch consistent: whoever creates the
 * stream (a publish, or a group's MKSTREAM) also starts a new epoch, so a stream
 * that vanished and came back is never mistaken for the old one.
 */
import type { Redis } from 'ioredis'

/** Sets the epoch (new when the stream does not exist yet, otherwise only if missing). KEYS: stream, epoch. ARGV[1]: candidate epoch. */
const ENSURE_EPOCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[2], ARGV[1])
else
  redis.call('SET', KEYS[2], ARGV[1], 'NX')
end
`

/** Appends; returns { epoch, id }. ARGV: candidate epoch, max length, envelope. */
export const PUBLISH = `${ENSURE_EPOCH}
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'envelope', ARGV[3])
return { redis.call('GET', KEYS[2]), id }
`

/** Creates the group at the end of the stream (creating the stream too); returns the epoch. ARGV: candidate epoch, group. */
export const ENSURE_GROUP = `${ENSURE_EPOCH}
local created = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[2], '$', 'MKSTREAM')
if type(created) == 'table' and created.err and not string.find(created.err, 'BUSYGROUP') then
  return created
end
return redis.call('GET', KEYS[2])
`

/** A script run by its SHA, loaded again when the server forgot it (after a restart). */
export class Script {
  #sha: string | undefined
  constructor(readonly source: string) {}

  async run(redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> {
    if (this.#sha) {
      try {
        return await redis.evalsha(this.#sha, keys.length, ...keys, ...args)
      } catch (error) {
        if (!String((error as Error).message).includes('NOSCRIPT')) throw error
      }
    }
    this.#sha = String(await redis.script('LOAD', this.source))
    return redis.evalsha(this.#sha, keys.length, ...keys, ...args)
  }
}
