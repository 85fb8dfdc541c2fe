/**
 * @module @distributex/ledger
 * The Ledger: internal gRPC bookkeeping of bounties. Started by
 * `distributex start` as an internal part (never proxied by the gateway), on
 * its own address, with its own database.
 */
import { loadSecret } from '@distributex/protocol'
import { openStore } from '@distributex/store'
import { migrations } from './migrations.js'
import { LedgerStore, type LedgerDatabase } from './ledger-store.js'
import { startLedgerServer } from './ledger-server.js'

export interface InternalStartOptions {
  port?: number
  /** Internal address to bind (default `DX_LEDGER_HOST` or 127.0.0.1). */
  host?: string
  env?: NodeJS.ProcessEnv
  dataDir?: string
  databaseUrl?: string | undefined
}

export interface RunningInternal {
  readonly name: string
  /** `host:port` for callers inside the deployment. */
  readonly address: string
  readonly port: number
  stop(): Promise<void>
}

/** An internal part as `distributex start` runs it: a name and `start`. */
export const ledgerService = {
  name: 'ledger',
  async start(options: InternalStartOptions = {}): Promise<RunningInternal> {
    const env = options.env ?? process.env
    const dataDir = options.dataDir ?? env.DX_DATA_DIR ?? 'data'
    const store = await openStore<LedgerDatabase>({ service: 'ledger', migrations, databaseUrl: options.databaseUrl ?? env.DATABASE_URL, dataDir })
    try {
      const server = await startLedgerServer({ store: new LedgerStore(store.db), secret: loadSecret({ env, dataDir }), host: options.host ?? env.DX_LEDGER_HOST ?? '127.0.0.1', port: options.port ?? 0 })
      return {
        name: 'ledger',
        address: server.address,
        port: server.port,
        async stop() {
          await server.stop()
          await store.close()
        },
      }
    } catch (error) {
      await store.close()
      throw error
    }
  },
}

export default ledgerService
export { createLedgerClient, LedgerCallError, type LedgerClient, type LedgerClientOptions } from './ledger-client.js'
export { ledgerCredential, checkLedgerCredential, LEDGER_CREDENTIAL_LABEL, LEDGER_CREDENTIAL_SKEW_SECONDS, CREDENTIAL_METADATA } from './ledger-credential.js'
export { LEDGER_PROTO, LEDGER_SERVICE_PATH, ledgerDefinition, type BountyFunds, type Entry, type Pledge, type Total, type GroupBy, type LedgerState } from './ledger-contract.js'
export { LedgerStore, LedgerInputError, LedgerStateError, type LedgerDatabase } from './ledger-store.js'
export { startLedgerServer, type RunningLedgerServer } from './ledger-server.js'
export { migrations } from './migrations.js'
