/**
 * The deliveries the bench sends: GitHub's documented `issue_comment.created`
 * payload (about 12 KB), each with its own comment id and delivery id, ten
 * comments per issue, each pledging one bounty; signed with HMAC-SHA256 over the
 * exact bytes sent, as GitHub signs them.
 */
import { createHmac } from 'node:crypto'
import { issueCommentPayload } from '@distributex/bounties'
import { BENCH_WEBHOOK_SECRET } from './settings.js'

const COMMENT = 987654321
const ISSUE = 8675309
const template = JSON.stringify(issueCommentPayload('created', { commentId: COMMENT, issueNumber: ISSUE, body: 'Whoever fixes this gets $USDC:50$, thank you!' }))

export interface SignedRequest {
  headers: Record<string, string>
  body: string
}

/** Makes the `n`-th delivery of run `run` (ids never repeat across runs). */
export function delivery(run: string, n: number): SignedRequest {
  const body = template.replaceAll(String(COMMENT), String(1_000_000 + n)).replaceAll(String(ISSUE), `${Math.floor(n / 10) + 1}`)
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'issue_comment',
      'x-github-delivery': `${run}-${n}`,
      'x-hub-signature-256': `sha256=${createHmac('sha256', BENCH_WEBHOOK_SECRET).update(body).digest('hex')}`,
    },
  }
}

/** Size of one delivery's body, for the report. */
export const DELIVERY_BYTES = Buffer.byteLength(template)
