/**
 * @module sample-deliveries
 * Webhook deliveries in the shapes GitHub documents: each starts from an
 * example payload of `@octokit/webhooks-examples` (GitHub's own, with every
 * field) and changes only what a scenario needs (repository, issue, comment,
 * author). Used by the tests, the benchmark and the offline "try it" page.
 */
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { sign } from '@octokit/webhooks-methods'

interface ExampleGroup {
  name: string
  examples: Array<Record<string, unknown>>
}

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as ExampleGroup[]

type Json = Record<string, unknown>

/** A deep copy of GitHub's first example of `event` with `action` (or of `like`, given another action). */
function example(event: string, action: string, like?: string): Json {
  const group = examples.find((candidate) => candidate.name === event)
  const found = group?.examples.find((payload) => payload.action === action) ?? group?.examples.find((payload) => payload.action === like)
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event} example for ${action}${like ? ` or ${like}` : ''}`)
  return { ...(structuredClone(found) as Json), action }
}

export interface Scenario {
  repository?: string
  issueNumber?: number
  installationId?: number
  /** Who commented (GitHub login). */
  login?: string
  /** "User" or "Bot". */
  userType?: string
}

const defaults = { repository: 'octo-org/hello-world', issueNumber: 1, installationId: 1, login: 'ada', userType: 'User' }

function repositoryFields(payload: Json, repository: string): void {
  const [owner = 'octo-org', name = 'hello-world'] = repository.split('/')
  const repo = payload.repository as Json
  Object.assign(repo, { full_name: repository, name, html_url: `https://github.com/${repository}` })
  Object.assign(repo.owner as Json, { login: owner })
}

function people(payload: Json, login: string, userType: string): void {
  Object.assign(payload.sender as Json, { login, type: userType })
}

/** An `issue_comment` delivery (`created`, `edited` or `deleted`). */
export function issueCommentPayload(action: 'created' | 'edited' | 'deleted', options: Scenario & { commentId: number; body: string; previousBody?: string; pullRequest?: boolean; issueState?: string }): Json {
  const s = { ...defaults, ...options }
  const payload = example('issue_comment', action, 'created')
  repositoryFields(payload, s.repository)
  people(payload, s.login, s.userType)
  const issue = payload.issue as Json
  Object.assign(issue, { number: s.issueNumber, state: options.issueState ?? 'open', html_url: `https://github.com/${s.repository}/${options.pullRequest ? 'pull' : 'issues'}/${s.issueNumber}` })
  if (options.pullRequest) issue.pull_request = { url: `https://api.github.com/repos/${s.repository}/pulls/${s.issueNumber}`, html_url: issue.html_url }
  else delete issue.pull_request
  const comment = payload.comment as Json
  Object.assign(comment, { id: options.commentId, node_id: `IC_kwDOAB${options.commentId}`, body: options.body, html_url: `${issue.html_url as string}#issuecomment-${options.commentId}` })
  delete comment.performed_via_github_app
  Object.assign(comment.user as Json, { login: s.login, type: s.userType })
  if (action === 'edited') payload.changes = { body: { from: options.previousBody ?? '' } }
  else delete payload.changes
  payload.installation = { id: s.installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${s.installationId}` }
  return payload
}

/** A `pull_request_review_comment` delivery. */
export function reviewCommentPayload(action: 'created' | 'edited' | 'deleted', options: Scenario & { commentId: number; body: string; previousBody?: string }): Json {
  const s = { ...defaults, ...options }
  const payload = example('pull_request_review_comment', action, 'created')
  repositoryFields(payload, s.repository)
  people(payload, s.login, s.userType)
  Object.assign(payload.pull_request as Json, { number: s.issueNumber, state: 'open', html_url: `https://github.com/${s.repository}/pull/${s.issueNumber}` })
  const comment = payload.comment as Json
  Object.assign(comment, { id: options.commentId, node_id: `PRRC_kwDOAB${options.commentId}`, body: options.body, html_url: `https://github.com/${s.repository}/pull/${s.issueNumber}#discussion_r${options.commentId}` })
  Object.assign(comment.user as Json, { login: s.login, type: s.userType })
  if (action === 'edited') payload.changes = { body: { from: options.previousBody ?? '' } }
  payload.installation = { id: s.installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${s.installationId}` }
  return payload
}

/** An `issues.closed` or `pull_request.closed` delivery. */
export function closedPayload(event: 'issues' | 'pull_request', options: Scenario = {}): Json {
  const s = { ...defaults, ...options }
  const payload = event === 'issues' ? example('issues', 'closed', 'reopened') : example('pull_request', 'closed')
  repositoryFields(payload, s.repository)
  people(payload, s.login, s.userType)
  if (event === 'issues') Object.assign(payload.issue as Json, { number: s.issueNumber, state: 'closed', closed_at: new Date().toISOString() })
  else {
    payload.number = s.issueNumber
    Object.assign(payload.pull_request as Json, { number: s.issueNumber, state: 'closed' })
  }
  payload.installation = { id: s.installationId, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u' }
  return payload
}

/** An `installation` or `installation_repositories` delivery. */
export function installationPayload(event: 'installation' | 'installation_repositories', action: string, options: { installationId?: number; added?: string[]; removed?: string[] } = {}): Json {
  const payload = example(event, action)
  Object.assign(payload.installation as Json, { id: options.installationId ?? defaults.installationId })
  const list = (names: string[] | undefined) => (names ?? []).map((full_name, index) => ({ id: 1000 + index, node_id: `R_${index}`, name: full_name.split('/')[1], full_name, private: false }))
  if (event === 'installation_repositories') {
    payload.repositories_added = list(options.added)
    payload.repositories_removed = list(options.removed)
  } else if (options.added) payload.repositories = list(options.added)
  return payload
}

export interface SignedDelivery {
  headers: Record<string, string>
  body: string
}

/** The request GitHub would send: the body and its `X-Hub-Signature-256`, event and delivery headers. */
export async function signedDelivery(secret: string, event: string, payload: unknown, deliveryId: string = randomUUID()): Promise<SignedDelivery> {
  const body = JSON.stringify(payload)
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/distributex',
      'x-github-event': event,
      'x-github-delivery': deliveryId,
      'x-github-hook-id': '1',
      'x-github-hook-installation-target-type': 'integration',
      'x-hub-signature-256': await sign(secret, body),
    },
  }
}
