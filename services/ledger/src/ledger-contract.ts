/**
 * @module ledger-contract
 * The Ledger's gRPC contract, loaded from `proto/ledger.proto` at run time (no
 * generated code to drift): the service definition for the server and the
 * client constructor, with the message shapes as TypeScript types.
 */
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'

/** The contract file, shipped with the package. */
export const LEDGER_PROTO = fileURLToPath(new URL('../proto/ledger.proto', import.meta.url))

/** Full gRPC path prefix of every method. */
export const LEDGER_SERVICE_PATH = '/distributex.ledger.v1.Ledger'

export type LedgerState = 'pending' | 'signed' | 'cancelled' | 'expired'

/** What a pledge and a ledger entry both say of a bounty. */
export interface BountyFunds {
  bountyId: string
  repository: string
  issueNumber: number
  funder: string
  denomination: string
  /** Base units as decimal digits. */
  amount: string
}

export interface Pledge extends BountyFunds {
  token: string
  chainId: string
}

export interface Entry extends BountyFunds {
  state: LedgerState
  version: number
}

export type GroupBy = 'GROUP_BY_ISSUE' | 'GROUP_BY_FUNDER' | 'GROUP_BY_DENOMINATION'

export interface Total {
  key: string
  denomination: string
  pending: string
  signed: string
  count: number
}

interface LoadedLedger {
  distributex: { ledger: { v1: { Ledger: grpc.ServiceClientConstructor } } }
}

let loaded: grpc.ServiceClientConstructor | undefined

/** The generic client constructor, whose `.service` is the server's service definition. */
export function ledgerDefinition(): grpc.ServiceClientConstructor {
  if (!loaded) {
    const definition = protoLoader.loadSync(LEDGER_PROTO, { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true })
    loaded = (grpc.loadPackageDefinition(definition) as unknown as LoadedLedger).distributex.ledger.v1.Ledger
  }
  return loaded
}
