/**
 * @module hacker-news-client
 * Reads the Hacker News Firebase API: the id lists and the items. Every request
 * has a timeout and is retried with backoff; item fetches run with bounded
 * concurrency; every answer is validated, and an item that is missing,
 * deleted or malformed is skipped with a log line instead of failing the list.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { exponentialBackoff } from '@distributex/bus/backoff'
import { HackerNewsError } from './errors.js'
import { createLimiter, type Limiter } from './limiter.js'
import { ItemSchema, StoryIdsSchema, toStory, unusable, type Story, type StoryList } from './story.js'

export const DEFAULT_HACKER_NEWS_URL = 'https://hacker-news.firebaseio.com'

/** Where log lines go (a pino logger fits). */
export interface ClientLog {
  warn(fields: object, message: string): void
}

export interface HackerNewsClientOptions {
  /** Base URL, e.g. `https://hacker-news.firebaseio.com` (no `/v0`). */
  baseUrl?: string
  /** Per request, default 2500 ms. */
  timeoutMs?: number
  /** Extra attempts after a failure (network error, timeout, 5xx, 429), default 2. */
  retries?: number
  /** Delay before the n-th retry; default 200 ms doubling, with jitter. */
  backoffMs?: (attempt: number) => number
  /** Item requests in flight at once, across every list being read, default 8. */
  concurrency?: number
  log?: ClientLog
}

/** 200 ms, then 400 ms, … (each 50–100% of that): Hacker News is asked again soon, but not in a burst. */
const defaultBackoff = exponentialBackoff({ baseMs: 200, capMs: 10_000 })

export class HackerNewsClient {
  readonly baseUrl: string
  readonly #timeoutMs: number
  readonly #retries: number
  readonly #backoffMs: (attempt: number) => number
  readonly #limit: Limiter
  readonly #log: ClientLog | undefined

  constructor(options: HackerNewsClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_HACKER_NEWS_URL).replace(/\/+$/, '')
    this.#timeoutMs = options.timeoutMs ?? 2500
    this.#retries = options.retries ?? 2
    this.#backoffMs = options.backoffMs ?? defaultBackoff
    this.#limit = createLimiter(options.concurrency ?? 8)
    this.#log = options.log
  }

  /** The ids of a list, best first; throws `HackerNewsError` when it cannot be read. */
  async storyIds(list: StoryList, signal?: AbortSignal): Promise<number[]> {
    const body = await this.#get(`/v0/${list}stories.json`, signal)
    const parsed = StoryIdsSchema.safeParse(body)
    if (!parsed.success) throw new HackerNewsError(this.baseUrl, `the ${list} list is not an array of story ids`)
    // A story listed twice would be two elements with one id on the page: keep its first place.
    return [...new Set(parsed.data)]
  }

  /**
   * The stories with these ids, in the same order, without those that are
   * missing, deleted, dead or malformed (each logged). An item that cannot be
   * fetched (network, timeout) is taken from `fallback` (e.g. the cache) when it
   * has it, so one slow item does not drop a story from the page. Throws
   * `HackerNewsError` only when no item at all could be fetched.
   */
  async stories(ids: readonly number[], signal?: AbortSignal, fallback?: (id: number) => Story | undefined): Promise<Story[]> {
    let failures = 0
    let lastError: unknown
    const results = await Promise.all(
      ids.map((id) =>
        this.#limit(async () => {
          try {
            return await this.story(id, signal)
          } catch (error) {
            if (signal?.aborted) throw error
            failures++
            lastError = error
            const kept = fallback?.(id)
            this.#log?.warn({ id, err: error }, kept ? 'hacker news item could not be fetched; the cached one is kept' : 'hacker news item could not be fetched; skipped')
            return kept
          }
        }),
      ),
    )
    if (ids.length > 0 && failures === ids.length) throw new HackerNewsError(this.baseUrl, `none of ${ids.length} items could be fetched`, { cause: lastError })
    return results.filter((story): story is Story => story !== undefined)
  }

  /** One story, or undefined (logged) when the item cannot be shown. */
  async story(id: number, signal?: AbortSignal): Promise<Story | undefined> {
    const body = await this.#get(`/v0/item/${id}.json`, signal)
    const parsed = ItemSchema.safeParse(body)
    if (!parsed.success) {
      this.#log?.warn({ id, problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`) }, 'hacker news item is malformed; skipped')
      return undefined
    }
    // An answer about another item would put one story on the page twice.
    const reason = parsed.data && parsed.data.id !== id ? `it answers as item ${parsed.data.id}` : unusable(parsed.data)
    if (reason || !parsed.data) {
      this.#log?.warn({ id, reason }, 'hacker news item cannot be shown; skipped')
      return undefined
    }
    return toStory(parsed.data)
  }

  /** GET and parse JSON, with a timeout per attempt and retries with backoff. */
  async #get(path: string, signal: AbortSignal | undefined): Promise<unknown> {
    const url = `${this.baseUrl}${path}`
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once(url, signal)
      } catch (error) {
        if (signal?.aborted) throw signal.reason
        const retryable = error instanceof HackerNewsError && error.retryable
        if (!retryable || attempt > this.#retries) {
          const reason = error instanceof HackerNewsError ? error.reason : (error as Error).message
          throw new HackerNewsError(this.baseUrl, `${path} failed after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${reason}`, { cause: error })
        }
        await sleep(this.#backoffMs(attempt), undefined, signal ? { signal } : undefined)
      }
    }
  }

  async #once(url: string, signal: AbortSignal | undefined): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.#timeoutMs)
    let response: Response
    try {
      response = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, headers: { accept: 'application/json' } })
    } catch (error) {
      const timedOut = timeout.aborted && !signal?.aborted
      throw new HackerNewsError(this.baseUrl, timedOut ? `no answer within ${this.#timeoutMs} ms` : `network error (${(error as Error).message})`, { cause: error, retryable: true })
    }
    if (response.status >= 500 || response.status === 429) {
      await response.body?.cancel()
      throw new HackerNewsError(this.baseUrl, `HTTP ${response.status}`, { retryable: true })
    }
    if (!response.ok) {
      await response.body?.cancel()
      throw new HackerNewsError(this.baseUrl, `HTTP ${response.status}`)
    }
    const text = await readText(response, MAX_ANSWER_BYTES, this.baseUrl)
    try {
      return JSON.parse(text) as unknown
    } catch {
      // Malformed JSON is not retried: the same request would get the same answer.
      return MALFORMED
    }
  }
}

/** Stands for an answer that is not JSON; no schema accepts it. */
const MALFORMED = Symbol('malformed JSON')

/** A list of 500 ids is about 5 KB and an item a few KB: anything this large is not Hacker News. */
const MAX_ANSWER_BYTES = 1024 * 1024

/** The body as text, refused (not retried) once it grows past `maxBytes`, so a runaway answer cannot fill the memory. */
async function readText(response: Response, maxBytes: number, baseUrl: string): Promise<string> {
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel()
    throw new HackerNewsError(baseUrl, `the answer is larger than ${maxBytes} bytes`)
  }
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength
      if (size > maxBytes) break
      chunks.push(chunk)
    }
  } catch (error) {
    throw new HackerNewsError(baseUrl, `the answer broke off (${(error as Error).message})`, { cause: error, retryable: true })
  }
  if (size > maxBytes) throw new HackerNewsError(baseUrl, `the answer is larger than ${maxBytes} bytes`)
  return new TextDecoder().decode(Buffer.concat(chunks))
}
