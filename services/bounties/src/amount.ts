/**
 * @module amount
 * Amounts as integers in the token's base units (bigint), never floats:
 * "0.5" ETH is 500000000000000000n wei. Only plain ASCII decimals are read.
 */

/** Digits, optionally a dot and more digits: no sign, exponent, separators or look-alike digits. */
export const AMOUNT = /^(?<whole>[0-9]+)(?:\.(?<fraction>[0-9]+))?$/

/** Longest amount text read at all: beyond it no configured limit can hold it anyway. */
export const AMOUNT_MAX_LENGTH = 80

/** Base units of `text` for a token with `decimals`; undefined when it is not a plain number or has too many decimals. */
export function parseAmount(text: string, decimals: number): bigint | undefined {
  if (text.length > AMOUNT_MAX_LENGTH) return undefined
  const match = AMOUNT.exec(text)
  if (!match?.groups) return undefined
  const whole = match.groups.whole as string
  const fraction = match.groups.fraction ?? ''
  if (fraction.length > decimals) return undefined
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0')
}

/** Base units back to the shortest decimal text, e.g. 500000000000000000n with 18 → "0.5". */
export function formatAmount(units: bigint, decimals: number): string {
  const scale = 10n ** BigInt(decimals)
  const whole = units / scale
  const fraction = (units % scale).toString().padStart(decimals, '0').replace(/0+$/, '')
  return fraction ? `${whole}.${fraction}` : `${whole}`
}
