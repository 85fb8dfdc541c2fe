/**
 * @module redis/scripts
 * Lua scripts that keep a stream and its epoch consistent: whoever creates the
 * stream (a publish, or a group's MKSTREAM) also starts a new epoch, so a stream
 * that vanished and came back is never mistaken for the old one.
 */
import { createHash } from 'node:crypto'
import type { RedisClient } from './target.js'

/** Sets the epoch (new when the stream does not exist yet, otherwise only if missing). KEYS: stream, epoch. ARGV[1]: candidate epoch. */
const ENSURE_EPOCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[2], ARGV[1])
else
  redis.call('SET', KEYS[2], ARGV[1], 'NX')
end
`

/**
 * Appends a batch, in order. KEYS: stream and epoch key of each entry. ARGV: candidate epoch, max length,
 * then envelope and retention in ms (0: for good) of each entry. Answers, per entry, { epoch, id }; an
 * entry the broker refused answers its error as a string, and the entries after it are not appended.
 * A topic's epoch, creation and expiry are seen to once per batch, not once per entry.
 * With a retention, both keys expire at least that long after the last publish; a consumer group keeps them.
 * The expiry is set with a quarter more than asked and renewed only once less than the retention is left,
 * so a busy topic pays for it once per quarter of the retention, not on every publish.
 */
export const PUBLISH_BATCH = `
local out = {}
local epochs = {}
local retained = {}
for i = 1, #KEYS / 2 do
  local stream, epochKey = KEYS[2 * i - 1], KEYS[2 * i]
  local existed, fresh = true, false
  if not epochs[stream] then
    existed = redis.call('EXISTS', stream) == 1
    if existed then
      fresh = redis.call('SET', epochKey, ARGV[1], 'NX') ~= false
    else
      redis.call('SET', epochKey, ARGV[1])
    end
  end
  local id = redis.pcall('XADD', stream, 'MAXLEN', '~', ARGV[2], '*', 'envelope', ARGV[2 * i + 1])
  if type(id) == 'table' and id.err then
    out[i] = id.err
    return out
  end
  local retain = tonumber(ARGV[2 * i + 2])
  if retain and retain > 0 and (retained[stream] or 0) < retain then
    local ttl = -1
    if existed and not fresh then ttl = redis.call('PTTL', stream) end
    if (ttl >= 0 and ttl < retain) or (ttl < 0 and redis.call('XINFO', 'GROUPS', stream)[1] == nil) then
      local keep = retain + math.floor(retain / 4)
      redis.call('PEXPIRE', stream, keep)
      redis.call('PEXPIRE', epochKey, keep)
    end
    retained[stream] = retain
  end
  if not epochs[stream] then epochs[stream] = redis.call('GET', epochKey) end
  out[i] = { epochs[stream], id }
end
return out
`

/** Creates the group at the end of the stream (creating the stream too); returns the epoch. ARGV: candidate epoch, group. */
export const ENSURE_GROUP = `${ENSURE_EPOCH}
local created = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[2], '$', 'MKSTREAM')
-- A topic read by a group is kept for good, even if it was published with a retention before.
redis.call('PERSIST', KEYS[1])
redis.call('PERSIST', KEYS[2])
if type(created) == 'table' and created.err and not string.find(created.err, 'BUSYGROUP') then
  return created
end
return redis.call('GET', KEYS[2])
`

/**
 * A script run by its SHA; sent in full (EVAL, which also caches it) when the server does not know
 * it yet (first use, a restart, or another node of a cluster).
 */
export class Script {
  readonly sha: string
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  async run(redis: RedisClient, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!isNoScript(error)) throw error
    }
    return redis.eval(this.source, keys.length, ...keys, ...args)
  }
}

export function isNoScript(error: unknown): boolean {
  return String((error as Error | null)?.message).includes('NOSCRIPT')
}
