/**
 * @module @distributex/bounties
 * Bounties: a GitHub App that turns `$DENOMINATION:amount$` comments into bounties to sign.
 */
export { parseBounties, DEFAULT_CAP, type ParsedBounty, type ParseResult, type RefusalReason } from './parse-bounties.js'
export { parseDenominations, loadDenominations, DEFAULT_DENOMINATIONS, type Denomination, type Denominations } from './denominations.js'
export { parseAmount, formatAmount } from './amount.js'
