/**
 * @module ledger-client
 * How a service calls the Ledger: each call signed with the service credential,
 * with a deadline, and retried (with backoff) when the Ledger is unreachable or
 * busy. Refusals (bad input, wrong credential) are not retried.
 */
import * as grpc from '@grpc/grpc-js'
import { ledgerCredential } from './ledger-credential.js'
import { LEDGER_SERVICE_PATH, ledgerDefinition, type Entry, type GroupBy, type Pledge, type Total } from './ledger-contract.js'

export interface LedgerClientOptions {
  /** `host:port` of the Ledger. */
  address: string
  secret: string
  /** Who calls; the Ledger logs it. */
  caller: string
  /** Per attempt (default 2000 ms). */
  deadlineMs?: number
  /** Attempts in all (default 3). */
  attempts?: number
}

export interface LedgerClient {
  recordPledge(pledge: Pledge, signal?: AbortSignal): Promise<Entry>
  markSigned(bountyId: string, signal?: AbortSignal): Promise<Entry>
  cancel(bountyId: string, reason: 'cancelled' | 'expired', signal?: AbortSignal): Promise<Entry>
  totals(groupBy: GroupBy, repository?: string, signal?: AbortSignal): Promise<Total[]>
  close(): void
}

const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.RESOURCE_EXHAUSTED, grpc.status.ABORTED])

/** A Ledger call that failed for good; `code` is the gRPC status. */
export class LedgerCallError extends Error {
  override name = 'LedgerCallError'
  readonly code = 'DX_LEDGER_CALL'
  readonly status: grpc.status
  constructor(method: string, status: grpc.status, details: string, options: { cause?: unknown } = {}) {
    super(`ledger ${method} failed (${grpc.status[status]}): ${details}`, options)
    this.status = status
  }
}

type GenericClient = grpc.Client & Record<string, (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, reply: unknown) => void) => grpc.ClientUnaryCall>

export function createLedgerClient({ address, secret, caller, deadlineMs = 2000, attempts = 3 }: LedgerClientOptions): LedgerClient {
  const Client = ledgerDefinition()
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as GenericClient

  const once = (method: string, request: unknown, signal?: AbortSignal) =>
    new Promise<unknown>((resolve, reject) => {
      const metadata = new grpc.Metadata()
      for (const [key, value] of Object.entries(ledgerCredential(secret, caller, `${LEDGER_SERVICE_PATH}/${method}`))) metadata.set(key, value)
      const call = (client[method] as GenericClient[string]).call(client, request, metadata, { deadline: Date.now() + deadlineMs }, (error, reply) => {
        signal?.removeEventListener('abort', cancel)
        if (error) reject(error)
        else resolve(reply)
      })
      const cancel = () => call.cancel()
      signal?.addEventListener('abort', cancel, { once: true })
    })

  async function invoke<Reply>(method: string, request: unknown, signal?: AbortSignal): Promise<Reply> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await once(method, request, signal)) as Reply
      } catch (error) {
        const status = (error as grpc.ServiceError).code ?? grpc.status.UNKNOWN
        if (!RETRYABLE.has(status) || attempt >= attempts || signal?.aborted) throw new LedgerCallError(method, status, (error as grpc.ServiceError).details ?? String(error), { cause: error })
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt))
      }
    }
  }

  return {
    recordPledge: (pledge, signal) => invoke<Entry>('RecordPledge', pledge, signal),
    markSigned: (bountyId, signal) => invoke<Entry>('MarkSigned', { bountyId }, signal),
    cancel: (bountyId, reason, signal) => invoke<Entry>('Cancel', { bountyId, reason }, signal),
    totals: async (groupBy, repository = '', signal) => (await invoke<{ totals: Total[] }>('Totals', { groupBy, repository }, signal)).totals,
    close: () => client.close(),
  }
}
