/**
 * @module github-client
 * The GitHub API as Bounties uses it: Octokit with App authentication (App id +
 * private key → a JWT → an installation token, cached by `@octokit/auth-app`
 * until it expires), at a configurable base URL (`DX_GITHUB_API_URL`: GitHub,
 * GitHub Enterprise, or the local double). Calls are retried on 5xx and on
 * rate limits, waiting what `Retry-After` says; a token GitHub refuses (401) is
 * dropped so the next call fetches a new one.
 */
import { Octokit } from '@octokit/core'
import { createAppAuth } from '@octokit/auth-app'
import { GitHubApiError } from './bounty-errors.js'

export interface GitHubAppOptions {
  appId: number
  privateKey: string
  baseUrl: string
  /** Retries after the first attempt (default 3). */
  retries?: number
  /** Longest `Retry-After` honoured, in seconds (default 60); a longer wait fails the call, and the job retries later. */
  maxRetryAfterSeconds?: number
}

export interface GitHubClient {
  createComment(installationId: string, repository: string, issueNumber: number, body: string): Promise<{ id: string; url: string }>
  /** Edits a comment; answers false when it no longer exists (someone deleted it). */
  updateComment(installationId: string, repository: string, commentId: string, body: string): Promise<boolean>
}

interface RequestErrorLike {
  status?: number
  response?: { headers?: Record<string, string | number | undefined> }
  message?: string
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** How long to wait before retrying, or undefined when the error is not worth retrying. */
export function retryDelayMs(error: RequestErrorLike, attempt: number, maxRetryAfterSeconds: number): number | undefined {
  const status = error.status ?? 0
  const headers = error.response?.headers ?? {}
  const retryAfter = headers['retry-after'] !== undefined ? Number(headers['retry-after']) : undefined
  const limited = status === 429 || (status === 403 && (retryAfter !== undefined || headers['x-ratelimit-remaining'] === '0' || /secondary rate limit/i.test(error.message ?? '')))
  if (limited) {
    const seconds = retryAfter ?? 60
    return seconds <= maxRetryAfterSeconds ? seconds * 1000 : undefined
  }
  if (status >= 500 || status === 0) return retryAfter !== undefined ? retryAfter * 1000 : 250 * 2 ** attempt
  return undefined
}

export function createGitHubClient({ appId, privateKey, baseUrl, retries = 3, maxRetryAfterSeconds = 60 }: GitHubAppOptions): GitHubClient {
  const perInstallation = new Map<string, Octokit>()
  const octokitFor = (installationId: string) => {
    let octokit = perInstallation.get(installationId)
    if (!octokit) {
      octokit = new Octokit({ baseUrl, authStrategy: createAppAuth, auth: { appId, privateKey, installationId: Number(installationId) }, userAgent: 'distributex-bounties' })
      octokit.hook.wrap('request', async (request, options) => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await request(options)
          } catch (error) {
            const delay = attempt < retries ? retryDelayMs(error as RequestErrorLike, attempt, maxRetryAfterSeconds) : undefined
            if (delay === undefined) throw error
            await sleep(delay)
          }
        }
      })
      perInstallation.set(installationId, octokit)
    }
    return octokit
  }

  const call = async <T>(installationId: string, what: string, run: (octokit: Octokit) => Promise<T>): Promise<T> => {
    try {
      return await run(octokitFor(installationId))
    } catch (error) {
      const status = (error as RequestErrorLike).status
      // A refused token (expired early, revoked, or the API forgot it) is not used again.
      if (status === 401) perInstallation.delete(installationId)
      throw new GitHubApiError(`GitHub ${what} failed${status ? ` (${status})` : ''}: ${(error as Error).message}. Check DX_GITHUB_APP_ID, the private key and that the app is installed.`, status, { cause: error })
    }
  }

  const split = (repository: string) => {
    const [owner = '', repo = ''] = repository.split('/')
    return { owner, repo }
  }

  return {
    createComment: (installationId, repository, issueNumber, body) =>
      call(installationId, 'create comment', async (octokit) => {
        const { data } = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...split(repository), issue_number: issueNumber, body })
        return { id: String(data.id), url: data.html_url }
      }),
    updateComment: async (installationId, repository, commentId, body) => {
      try {
        await call(installationId, 'edit comment', (octokit) => octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...split(repository), comment_id: Number(commentId), body }))
        return true
      } catch (error) {
        if (error instanceof GitHubApiError && error.status === 404) return false
        throw error
      }
    },
  }
}
