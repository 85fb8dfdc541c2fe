/**
 * @module parse-bounties
 * The bounty grammar: `$<DENOMINATION>:<amount>$` in the prose of a comment
 * (see visible-text and docs/bounties.md#grammar). The denomination must be on
 * the allow-list; the amount is a plain decimal with at most the token's
 * decimals, within its limits; at most `cap` per comment. Never throws: every
 * refusal is counted by reason, and nothing about it is echoed back.
 */
import { parseAmount } from './amount.js'
import type { Denominations } from './denominations.js'
import { visibleText } from './visible-text.js'

/** One accepted bounty; `slot` names it within its comment ("USDC#1", the first USDC one) so edits find it again. */
export interface ParsedBounty {
  readonly symbol: string
  readonly amount: bigint
  readonly slot: string
}

export type RefusalReason = 'unknown-denomination' | 'malformed-amount' | 'too-many-decimals' | 'below-minimum' | 'above-maximum' | 'over-cap'

export interface ParseResult {
  readonly bounties: ParsedBounty[]
  /** How many patterns were refused, by reason. */
  readonly refused: Partial<Record<RefusalReason, number>>
}

/** Most bounties one comment may create. */
export const DEFAULT_CAP = 10

/** Anything shaped like a pattern; what is inside is judged afterwards, so refusals can be counted. */
const CANDIDATE = /\$([A-Za-z0-9_]{1,32}):([^\s$]{1,100})\$/g

/** Reads every bounty in a comment body. */
export function parseBounties(body: string, denominations: Denominations, cap = DEFAULT_CAP): ParseResult {
  const bounties: ParsedBounty[] = []
  const refused: Partial<Record<RefusalReason, number>> = {}
  const refuse = (reason: RefusalReason) => (refused[reason] = (refused[reason] ?? 0) + 1)
  const perSymbol = new Map<string, number>()
  for (const match of visibleText(body).matchAll(CANDIDATE)) {
    const symbol = match[1] as string
    const text = match[2] as string
    const denomination = denominations.get(symbol)
    if (!denomination) {
      refuse('unknown-denomination')
      continue
    }
    if (!/^[0-9]+(\.[0-9]+)?$/.test(text)) {
      refuse('malformed-amount')
      continue
    }
    const amount = parseAmount(text, denomination.decimals)
    if (amount === undefined) {
      refuse(text.length > 80 ? 'above-maximum' : 'too-many-decimals')
      continue
    }
    if (amount < denomination.min) {
      refuse('below-minimum')
      continue
    }
    if (amount > denomination.max) {
      refuse('above-maximum')
      continue
    }
    if (bounties.length >= cap) {
      refuse('over-cap')
      continue
    }
    const ordinal = (perSymbol.get(symbol) ?? 0) + 1
    perSymbol.set(symbol, ordinal)
    bounties.push({ symbol, amount, slot: `${symbol}#${ordinal}` })
  }
  return { bounties, refused }
}
