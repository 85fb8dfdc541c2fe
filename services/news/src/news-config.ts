/**
 * @module news-config
 * The service's settings, from the environment, validated with messages that
 * name the variable to fix.
 */
import { z } from 'zod'
import { ConfigError } from '@distributex/protocol'
import { DEFAULT_HACKER_NEWS_URL } from './hacker-news-client.js'

const milliseconds = (fallback: number) => z.coerce.number().int().min(10).max(86_400_000).default(fallback)

const NewsEnvSchema = z.object({
  DX_NEWS_HN_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://hacker-news.firebaseio.com' }).default(DEFAULT_HACKER_NEWS_URL),
  DX_NEWS_POLL_MS: milliseconds(30_000),
  DX_NEWS_TTL_MS: milliseconds(60_000),
  DX_NEWS_TIMEOUT_MS: milliseconds(2500),
  DX_NEWS_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(600),
})

export interface NewsConfig {
  /** Hacker News API base URL. */
  hackerNewsUrl: string
  /** How often open lists are checked for changes. */
  pollMs: number
  /** A cached list older than this is refreshed when read. */
  ttlMs: number
  /** Per request to Hacker News. */
  timeoutMs: number
  /** How long a first render waits for Hacker News when nothing is cached. */
  firstRenderWaitMs: number
}

export function loadNewsConfig(env: NodeJS.ProcessEnv): NewsConfig {
  const parsed = NewsEnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([key, value]) => key.startsWith('DX_NEWS_') && value !== '')))
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`news settings are invalid: ${problems.join('; ')}`, { fields: { problems } })
  }
  const { DX_NEWS_HN_URL, DX_NEWS_POLL_MS, DX_NEWS_TTL_MS, DX_NEWS_TIMEOUT_MS, DX_NEWS_WAIT_MS } = parsed.data
  return { hackerNewsUrl: DX_NEWS_HN_URL, pollMs: DX_NEWS_POLL_MS, ttlMs: DX_NEWS_TTL_MS, timeoutMs: DX_NEWS_TIMEOUT_MS, firstRenderWaitMs: DX_NEWS_WAIT_MS }
}
