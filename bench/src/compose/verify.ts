/**
 * Checks one composed page before any load is put on a composer: a benchmark of
 * a page that lacks a fragment (or is an error page) measures nothing, so this
 * fails loudly with what came back instead.
 */
import { request } from 'undici'
import { fragmentProblems } from './fragments.js'

export interface PageCheck {
  bytes: number
}

export async function verifyPage(url: string, headers: Record<string, string>): Promise<PageCheck> {
  const response = await request(url, { headers, signal: AbortSignal.timeout(10_000) })
  const body = await response.body.text()
  const type = String(response.headers['content-type'] ?? '')
  const problems = fragmentProblems(body)
  if (response.statusCode !== 200) problems.unshift(`status ${response.statusCode}`)
  if (!type.startsWith('text/html')) problems.unshift(`content-type "${type}"`)
  if (problems.length) {
    const excerpt = body.length > 600 ? `${body.slice(0, 600)}…` : body
    throw new Error(`the page at ${url} is not right: ${problems.join('; ')}\n--- body (${body.length} bytes) ---\n${excerpt}\n---`)
  }
  return { bytes: Buffer.byteLength(body) }
}

/** Checks that a fragment server answers its widget the way the distributex protocol asks. */
export async function verifyFragment(url: string): Promise<void> {
  const response = await request(url, { signal: AbortSignal.timeout(10_000) })
  const body = await response.body.text()
  const type = String(response.headers['content-type'] ?? '')
  const version = response.headers['x-dx-service-version']
  if (response.statusCode !== 200 || type !== 'text/html; charset=utf-8' || !version || body.length === 0) {
    throw new Error(`fragment ${url} answered ${response.statusCode}, content-type "${type}", x-dx-service-version "${String(version)}", ${body.length} bytes`)
  }
}
