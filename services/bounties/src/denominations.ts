/**
 * @module denominations
 * The allow-list of denominations a bounty may use: each maps to a token on a
 * chain, with its decimals and the smallest and largest amount accepted (in base
 * units). Configured with `DX_BOUNTY_DENOMINATIONS` (JSON); USDC and ETH by default.
 */
import { z } from 'zod'
import { describeIssues } from '@distributex/protocol'
import { BountyConfigError } from './bounty-errors.js'
import { parseAmount } from './amount.js'

export interface Denomination {
  /** What people write between `$` and `:`, e.g. `USDC`. */
  readonly symbol: string
  /** The token's contract address, or `native` for the chain's own coin. */
  readonly token: string
  readonly chainId: number
  readonly decimals: number
  /** Smallest and largest amount, in base units. */
  readonly min: bigint
  readonly max: bigint
}

export type Denominations = ReadonlyMap<string, Denomination>

/** Symbols: 2 to 10 ASCII capitals and digits, starting with a capital. */
export const SYMBOL = /^[A-Z][A-Z0-9]{1,9}$/

const EntrySchema = z.object({
  symbol: z.string().regex(SYMBOL, 'use 2 to 10 capitals or digits, starting with a capital, e.g. USDC'),
  token: z.string().regex(/^(native|0x[0-9a-fA-F]{40})$/, 'use "native" or a 0x-prefixed 20-byte address'),
  chainId: z.number().int().positive(),
  decimals: z.number().int().min(0).max(36),
  /** Human amounts, e.g. "0.01" and "100000". */
  min: z.string(),
  max: z.string(),
})

const ListSchema = z.array(EntrySchema).min(1).max(32)

export type DenominationInput = z.input<typeof EntrySchema>

/** USDC on Ethereum mainnet and ether: what a new installation accepts until configured otherwise. */
export const DEFAULT_DENOMINATIONS: DenominationInput[] = [
  { symbol: 'USDC', token: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', chainId: 1, decimals: 6, min: '1', max: '1000000' },
  { symbol: 'ETH', token: 'native', chainId: 1, decimals: 18, min: '0.001', max: '1000' },
]

/** Checks the list (unique symbols, min ≤ max within decimals) and indexes it by symbol. */
export function parseDenominations(input: unknown, source = 'DX_BOUNTY_DENOMINATIONS'): Denominations {
  const result = ListSchema.safeParse(input)
  if (!result.success) throw new BountyConfigError(`${source} is invalid: ${describeIssues(result.error).join('; ')}`)
  const map = new Map<string, Denomination>()
  for (const entry of result.data) {
    if (map.has(entry.symbol)) throw new BountyConfigError(`${source}: "${entry.symbol}" is listed twice; keep one entry per symbol`)
    const min = parseAmount(entry.min, entry.decimals)
    const max = parseAmount(entry.max, entry.decimals)
    if (min === undefined || max === undefined || min <= 0n || min > max) {
      throw new BountyConfigError(`${source}: "${entry.symbol}" needs 0 < min ≤ max, each a plain number with at most ${entry.decimals} decimals`)
    }
    map.set(entry.symbol, { symbol: entry.symbol, token: entry.token, chainId: entry.chainId, decimals: entry.decimals, min, max })
  }
  return map
}

/** The configured list: `DX_BOUNTY_DENOMINATIONS` as JSON, else the defaults. */
export function loadDenominations(env: NodeJS.ProcessEnv = process.env): Denominations {
  const text = env.DX_BOUNTY_DENOMINATIONS
  if (!text) return parseDenominations(DEFAULT_DENOMINATIONS)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new BountyConfigError(`DX_BOUNTY_DENOMINATIONS is not JSON: ${(cause as Error).message}`, { cause })
  }
  return parseDenominations(json)
}
