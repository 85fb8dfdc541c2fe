/**
 * @module ledger-server
 * The Ledger's gRPC server: binds to an internal address only (127.0.0.1 by
 * default, never behind the gateway), checks the service credential on every
 * call before touching the database (UNAUTHENTICATED otherwise), and maps the
 * store's refusals to gRPC status codes.
 */
import * as grpc from '@grpc/grpc-js'
import { CREDENTIAL_METADATA, checkLedgerCredential } from './ledger-credential.js'
import { ledgerDefinition, type Entry, type GroupBy, type Pledge, type Total } from './ledger-contract.js'
import { LedgerInputError, LedgerStateError, type LedgerStore } from './ledger-store.js'

export interface LedgerServerOptions {
  store: LedgerStore
  secret: string
  host: string
  port: number
  log?: { warn(fields: object, message: string): void }
}

export interface RunningLedgerServer {
  /** `host:port` the server listens on. */
  readonly address: string
  readonly port: number
  stop(): Promise<void>
}

type Handler<Request, Reply> = (request: Request) => Promise<Reply>

function first(metadata: grpc.Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0]
  return typeof value === 'string' ? value : undefined
}

function statusOf(error: unknown): grpc.status {
  if (error instanceof LedgerInputError) return grpc.status.INVALID_ARGUMENT
  if (error instanceof LedgerStateError) return grpc.status.FAILED_PRECONDITION
  return grpc.status.INTERNAL
}

/** Starts the server; resolves once it listens. */
export async function startLedgerServer({ store, secret, host, port, log }: LedgerServerOptions): Promise<RunningLedgerServer> {
  const unary =
    <Request, Reply>(handler: Handler<Request, Reply>): grpc.handleUnaryCall<Request, Reply> =>
    (call, callback) => {
      const metadata = call.metadata
      const checked = checkLedgerCredential(secret, call.getPath(), {
        caller: first(metadata, CREDENTIAL_METADATA.caller),
        time: first(metadata, CREDENTIAL_METADATA.time),
        signature: first(metadata, CREDENTIAL_METADATA.signature),
      })
      if ('problem' in checked) {
        log?.warn({ peer: call.getPeer(), method: call.getPath() }, `ledger call refused: ${checked.problem}`)
        callback({ code: grpc.status.UNAUTHENTICATED, details: checked.problem })
        return
      }
      handler(call.request).then(
        (reply) => callback(null, reply),
        (error: unknown) => callback({ code: statusOf(error), details: (error as Error).message }),
      )
    }
  const implementation = {
    RecordPledge: unary<Pledge, Entry>((pledge) => store.recordPledge(pledge)),
    MarkSigned: unary<{ bountyId: string }, Entry>(({ bountyId }) => store.markSigned(bountyId)),
    Cancel: unary<{ bountyId: string; reason: string }, Entry>(({ bountyId, reason }) => store.cancel(bountyId, reason === 'expired' ? 'expired' : 'cancelled')),
    Totals: unary<{ groupBy: GroupBy | 'GROUP_BY_UNSPECIFIED'; repository: string }, { totals: Total[] }>(async ({ groupBy, repository }) => ({
      totals: await store.totals(groupBy === 'GROUP_BY_UNSPECIFIED' ? 'GROUP_BY_DENOMINATION' : groupBy, repository || undefined),
    })),
  }
  const server = new grpc.Server()
  server.addService(ledgerDefinition().service, implementation as unknown as grpc.UntypedServiceImplementation)
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) => (error ? reject(error) : resolve(actual)))
  })
  let stopping: Promise<void> | undefined
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        // Calls in flight finish; a caller that hangs on is cut off after a second.
        const force = setTimeout(() => server.forceShutdown(), 1000)
        server.tryShutdown(() => {
          clearTimeout(force)
          resolve()
        })
      })),
  }
}
