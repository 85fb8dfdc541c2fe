/**
 * @module bot-comment
 * The app's one comment per issue or pull request: its bounties, their state,
 * and for each pending one the link to sign it. Amounts are written "50 USDC",
 * and every `$` and backtick from elsewhere is dropped, so the comment never
 * holds a pattern the app would read as a bounty.
 */
import type { Bounty } from './bounty.js'
import { formatAmount } from './amount.js'
import type { Denominations } from './denominations.js'

/** First line of every bot comment: marks it as the app's own. */
export const BOT_COMMENT_MARKER = '<!-- distributex-bounties -->'

const STATE_LABEL = { pending: 'waiting for a signature', signed: 'signed', cancelled: 'cancelled', expired: 'expired' } as const

/** Text from elsewhere (logins) made inert: no pattern characters, no Markdown that could break the table. */
const inert = (text: string) => text.replace(/[$`|<>[\]\\*_~]/g, '')

export function displayAmount(bounty: Pick<Bounty, 'amount' | 'denomination'>, denominations: Denominations): string {
  const decimals = denominations.get(bounty.denomination)?.decimals ?? 0
  return `${formatAmount(bounty.amount, decimals)} ${bounty.denomination}`
}

export interface BotCommentOptions {
  bounties: readonly Bounty[]
  denominations: Denominations
  /** Public URL of the gateway, e.g. https://example.org. */
  gatewayUrl: string
}

/** Sums per denomination, e.g. "50 USDC, 0.5 ETH"; "none" when empty. */
export function totals(bounties: readonly Bounty[], denominations: Denominations): string {
  const sums = new Map<string, bigint>()
  for (const bounty of bounties) sums.set(bounty.denomination, (sums.get(bounty.denomination) ?? 0n) + bounty.amount)
  if (sums.size === 0) return 'none'
  return [...sums].map(([denomination, amount]) => displayAmount({ denomination, amount }, denominations)).join(', ')
}

/** The comment's Markdown. */
export function renderBotComment({ bounties, denominations, gatewayUrl }: BotCommentOptions): string {
  const base = gatewayUrl.replace(/\/$/, '')
  const lines = [BOT_COMMENT_MARKER, '### Bounties', '']
  if (bounties.length === 0) {
    lines.push('No bounties on this thread any more.')
  } else {
    lines.push('| Amount | Funder | State | |', '| --- | --- | --- | --- |')
    for (const bounty of bounties) {
      const link = bounty.state === 'pending' ? `[Sign this bounty](${base}/bounties/sign/${encodeURIComponent(bounty.id)})` : ''
      lines.push(`| ${displayAmount(bounty, denominations)} | @${inert(bounty.funder)} | ${STATE_LABEL[bounty.state]} | ${link} |`)
    }
    const pending = bounties.filter((bounty) => bounty.state === 'pending')
    const signed = bounties.filter((bounty) => bounty.state === 'signed')
    lines.push('', `Pending: ${totals(pending, denominations)}. Signed: ${totals(signed, denominations)}.`)
  }
  lines.push('', '<sub>Each funder signs their own bounty with a browser wallet; until then it is only a pledge.</sub>')
  return lines.join('\n')
}
