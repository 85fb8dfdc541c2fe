/**
 * @module github-double
 * A local stand-in for the slice of the GitHub REST API Bounties uses, for
 * tests and for trying the app offline. Like GitHub it checks the App JWT
 * against the App's public key, issues installation tokens that expire,
 * refuses an expired or unknown token (401), and keeps the issue comments it is
 * sent. It also runs GitHub's OAuth web flow with PKCE (oauth-double), for
 * linking a GitHub account. Failures can be injected (e.g. a 502, or a secondary rate limit with
 * Retry-After) to exercise the client's retries.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { checkAppJwt } from './app-jwt.js'
import { readText, sendJson as json } from './double-http.js'
import { oauthDouble, type GitHubUser, type OAuthApp } from './oauth-double.js'

export interface RecordedComment {
  id: number
  repository: string
  issueNumber: number
  body: string
  /** Every body it had, oldest first. */
  history: string[]
  installationId: number
  createdAt: string
  updatedAt: string
}

export interface GitHubDoubleOptions {
  appId: number
  /** PEM of the App's public key. */
  publicKey: string
  /** The bot's login without "[bot]". */
  appSlug?: string
  /** Lifetime of installation tokens (GitHub: 1 hour). */
  tokenTtlMs?: number
  port?: number
  host?: string
  /** OAuth apps for GitHub's web flow (`/login/oauth/authorize`, the token exchange, `GET /user`). */
  oauthApps?: OAuthApp[]
  /** Who approves OAuth authorizations, as if signed in to GitHub (default: a user "octocat"). */
  signedIn?: GitHubUser
}

export interface InjectedFailure {
  status: number
  retryAfterSeconds?: number
  message?: string
  /** How many requests fail (default 1). */
  times?: number
}

export interface GitHubDouble {
  /** Base URL to give Octokit (`DX_GITHUB_API_URL`). */
  readonly url: string
  comments(repository?: string, issueNumber?: number): RecordedComment[]
  /** How many installation tokens were issued. */
  readonly tokensIssued: number
  /** Requests answered, by "METHOD path-pattern" and status, for tests. */
  readonly requests: Array<{ method: string; path: string; status: number }>
  failNext(failure: InjectedFailure): void
  /** Drops the failures not yet used. */
  clearFailures(): void
  /** Who approves the next OAuth authorizations; undefined: they are declined (`access_denied`). */
  signIn(user: GitHubUser | undefined): void
  /** Forgets every token issued, as if they had been revoked. */
  revokeTokens(): void
  stop(): Promise<void>
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readText(request, 1024 * 1024)
  return text ? (JSON.parse(text) as Record<string, unknown>) : {}
}

export async function startGitHubDouble({ appId, publicKey, appSlug = 'distributex-bounties', tokenTtlMs = 3_600_000, port = 0, host = '127.0.0.1', oauthApps = [], signedIn = { login: 'octocat', id: 583231 } }: GitHubDoubleOptions): Promise<GitHubDouble> {
  const oauth = oauthDouble(oauthApps, signedIn)
  const tokens = new Map<string, { installationId: number; expiresAt: number }>()
  const comments = new Map<number, RecordedComment>()
  const requests: Array<{ method: string; path: string; status: number }> = []
  const failures: InjectedFailure[] = []
  let nextCommentId = 1_000_000_001
  let tokensIssued = 0
  let baseUrl = ''

  const bot = { login: `${appSlug}[bot]`, id: 41898282, type: 'Bot' }
  const commentJson = (comment: RecordedComment) => ({
    id: comment.id,
    node_id: `IC_${Buffer.from(String(comment.id)).toString('base64url')}`,
    url: `${baseUrl}/repos/${comment.repository}/issues/comments/${comment.id}`,
    html_url: `https://github.com/${comment.repository}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${baseUrl}/repos/${comment.repository}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: bot,
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: 'NONE',
    performed_via_github_app: { id: appId, slug: appSlug },
  })

  /** The installation a token authenticates, or why not. */
  const installationOf = (request: IncomingMessage): number | string => {
    const match = /^(?:token|bearer) (\S+)$/i.exec(request.headers.authorization ?? '')
    const token = match && tokens.get(match[1] as string)
    if (!token) return 'Bad credentials'
    if (token.expiresAt <= Date.now()) return 'Bad credentials: the installation token expired'
    return token.installationId
  }

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<[string, number]> => {
    const url = new URL(request.url ?? '/', 'http://double')
    const method = request.method ?? 'GET'
    const failure = failures[0]
    if (failure) {
      if (--failure.times! <= 0) failures.shift()
      json(response, failure.status, { message: failure.message ?? 'Injected failure', documentation_url: 'https://docs.github.com/rest' }, failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {})
      return ['injected', failure.status]
    }
    const web = await oauth.handle(request, url, response)
    if (web) return web
    let match = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname)
    if (match && method === 'POST') {
      const jwt = /^bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
      const problem = jwt ? checkAppJwt(jwt, appId, publicKey) : 'A JSON web token could not be decoded'
      if (problem) return (json(response, 401, { message: problem }), ['POST /app/installations/:id/access_tokens', 401])
      const token = `ghs_${randomBytes(18).toString('base64url')}`
      const expiresAt = Date.now() + tokenTtlMs
      tokens.set(token, { installationId: Number(match[1]), expiresAt })
      tokensIssued++
      json(response, 201, { token, expires_at: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), permissions: { issues: 'write', pull_requests: 'write' }, repository_selection: 'all' })
      return ['POST /app/installations/:id/access_tokens', 201]
    }
    const installationId = installationOf(request)
    if (typeof installationId === 'string') return (json(response, 401, { message: installationId }), [`${method} ${url.pathname}`, 401])
    match = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname)
    if (match && method === 'POST') {
      const body = await readJson(request)
      if (typeof body.body !== 'string' || body.body.length > 65536) return (json(response, 422, { message: 'Validation Failed: body is required and at most 65536 characters' }), ['POST comments', 422])
      const now = new Date().toISOString()
      const comment: RecordedComment = { id: nextCommentId++, repository: match[1] as string, issueNumber: Number(match[2]), body: body.body, history: [body.body], installationId, createdAt: now, updatedAt: now }
      comments.set(comment.id, comment)
      json(response, 201, commentJson(comment))
      return ['POST /repos/:owner/:repo/issues/:number/comments', 201]
    }
    if (match && method === 'GET') {
      json(response, 200, [...comments.values()].filter((comment) => comment.repository === match![1] && comment.issueNumber === Number(match![2])).map(commentJson))
      return ['GET /repos/:owner/:repo/issues/:number/comments', 200]
    }
    match = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname)
    if (match && method === 'PATCH') {
      const comment = comments.get(Number(match[2]))
      if (!comment || comment.repository !== match[1]) return (json(response, 404, { message: 'Not Found' }), ['PATCH /repos/:owner/:repo/issues/comments/:id', 404])
      const body = await readJson(request)
      if (typeof body.body !== 'string') return (json(response, 422, { message: 'Validation Failed: body is required' }), ['PATCH comment', 422])
      comment.body = body.body
      comment.history.push(body.body)
      comment.updatedAt = new Date().toISOString()
      json(response, 200, commentJson(comment))
      return ['PATCH /repos/:owner/:repo/issues/comments/:id', 200]
    }
    if (match && method === 'DELETE') {
      comments.delete(Number(match[2]))
      response.writeHead(204).end()
      return ['DELETE /repos/:owner/:repo/issues/comments/:id', 204]
    }
    json(response, 404, { message: 'Not Found (the GitHub double serves only what Bounties uses)' })
    return [`${method} ${url.pathname}`, 404]
  }

  const server = createServer((request, response) => {
    handle(request, response).then(
      ([path, status]) => requests.push({ method: request.method ?? 'GET', path, status }),
      (error: unknown) => {
        if (!response.headersSent) json(response, 400, { message: `Problems parsing JSON: ${(error as Error).message}` })
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  const address = server.address() as AddressInfo
  baseUrl = `http://${host}:${address.port}`
  return {
    url: baseUrl,
    comments: (repository, issueNumber) => [...comments.values()].filter((comment) => (repository === undefined || comment.repository === repository) && (issueNumber === undefined || comment.issueNumber === issueNumber)),
    get tokensIssued() {
      return tokensIssued
    },
    requests,
    failNext: (failure) => failures.push({ times: 1, ...failure }),
    clearFailures: () => failures.splice(0),
    signIn: (user) => {
      oauth.signedIn = user
    },
    revokeTokens: () => tokens.clear(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
