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
  body: Buffer
}

const bodyOf = (n: number) => template.replaceAll(String(COMMENT), String(1_000_000 + n)).replaceAll(String(ISSUE), `${Math.floor(n / 10) + 1}`)

function signed(run: string, n: number, body: Buffer): SignedRequest {
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

/** Makes the `n`-th delivery of run `run` (ids never repeat across runs). */
export function delivery(run: string, n: number): SignedRequest {
  return signed(run, n, Buffer.from(bodyOf(n)))
}

/** Size of one delivery's body, for the report. */
export const DELIVERY_BYTES = Buffer.byteLength(template)

/** Room for the ids a delivery's body carries beyond the template's. */
const ID_ROOM = 64

/**
 * The deliveries of one phase, signed before it starts: in production GitHub's machines build and sign
 * them, so here the sender's work must not take the cores the peers are measured on. The bodies share one
 * allocation (thousands of separate 12 KB buffers would make the sender's collector work during the phase).
 * A phase that sends more than were prepared builds the rest as it goes (`madeDuringPhase` counts them).
 */
export class PreparedDeliveries {
  readonly #prepared: SignedRequest[] = []
  madeDuringPhase = 0

  constructor(
    readonly run: string,
    count: number,
  ) {
    const slab = Buffer.allocUnsafeSlow(count * (DELIVERY_BYTES + ID_ROOM))
    let offset = 0
    for (let n = 0; n < count; n++) {
      const body = bodyOf(n)
      const written = slab.write(body, offset)
      // A body cut short at the slab's end would still be signed as sent: refuse it rather than measure it.
      if (written !== Buffer.byteLength(body)) throw new Error(`delivery ${n} does not fit the prepared buffer`)
      this.#prepared.push(signed(run, n, slab.subarray(offset, offset + written)))
      offset += written
    }
  }

  /** The `n`-th delivery of the phase. */
  get(n: number): SignedRequest {
    const prepared = this.#prepared[n]
    if (prepared) return prepared
    this.madeDuringPhase++
    return delivery(this.run, n)
  }
}
