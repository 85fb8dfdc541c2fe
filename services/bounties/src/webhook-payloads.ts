/**
 * @module webhook-payloads
 * The slice of GitHub's webhook payloads Bounties reads, validated at the
 * boundary (GitHub's documented shapes carry much more; extra fields pass).
 */
import { z } from 'zod'

const User = z.object({ login: z.string().max(100), type: z.string() })
const Repository = z.object({ id: z.number().int().nonnegative().default(0), full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/) })
const Installation = z.object({ id: z.number().int().positive() })
const Comment = z.object({
  id: z.number().int(),
  node_id: z.string().max(200).default(''),
  body: z.string().nullable().default(''),
  html_url: z.string(),
  user: User,
  performed_via_github_app: z.object({ id: z.number() }).nullable().optional(),
})
const Issue = z.object({ number: z.number().int().positive(), title: z.string(), html_url: z.string(), state: z.string(), pull_request: z.object({}).passthrough().optional() })

export const IssueCommentPayload = z.object({ action: z.string(), issue: Issue, comment: Comment, repository: Repository, sender: User, installation: Installation.optional() })
export const ReviewCommentPayload = z.object({
  action: z.string(),
  pull_request: z.object({ number: z.number().int().positive(), title: z.string(), html_url: z.string(), state: z.string() }),
  comment: Comment,
  repository: Repository,
  sender: User,
  installation: Installation.optional(),
})
export const ClosedPayload = z.object({ action: z.string(), repository: Repository, issue: z.object({ number: z.number().int() }).optional(), pull_request: z.object({ number: z.number().int() }).optional() })
const RepoList = z.array(z.object({ full_name: z.string() })).nullable().optional()
export const InstallationPayload = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int(), account: z.object({ login: z.string() }).nullable().optional() }),
  repositories: RepoList,
  repositories_added: RepoList,
  repositories_removed: RepoList,
})

export type IssueCommentPayload = z.infer<typeof IssueCommentPayload>
export type ReviewCommentPayload = z.infer<typeof ReviewCommentPayload>
