import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { parseBounties, type RefusalReason } from './parse-bounties.js'
import { DEFAULT_DENOMINATIONS, parseDenominations } from './denominations.js'

const denominations = parseDenominations(DEFAULT_DENOMINATIONS)
const USDC = (text: string) => ['USDC', BigInt(Math.round(Number(text) * 1e6))] as const
const ETH = (units: bigint) => ['ETH', units] as const
const many = (count: number, unit: string) => Array.from({ length: count }, () => unit).join(' ')

/** [body, expected bounties as [symbol, base units], expected refusals] */
const TABLE: Array<[string, ReadonlyArray<readonly [string, bigint]>, Partial<Record<RefusalReason, number>>?]> = [
  ['$USDC:50$', [USDC('50')]],
  ['$USDC:50$ and $ETH:0.5$', [USDC('50'), ETH(500_000_000_000_000_000n)]],
  ['Bounty: $USDC:1$', [USDC('1')]],
  ['$USDC:1000000$', [USDC('1000000')]],
  ['$USDC:1000000.000001$', [], { 'above-maximum': 1 }],
  ['$USDC:0.999999$', [], { 'below-minimum': 1 }],
  ['$USDC:0$', [], { 'below-minimum': 1 }],
  ['$USDC:12.345678$', [USDC('12.345678')]],
  ['$USDC:12.3456789$', [], { 'too-many-decimals': 1 }],
  ['$ETH:0.000000000000000001$', [], { 'below-minimum': 1 }],
  ['$ETH:0.001$', [ETH(1_000_000_000_000_000n)]],
  ['$ETH:1.0000000000000000001$', [], { 'too-many-decimals': 1 }],
  ['$ETH:99999999999999999999999999999999999999$', [], { 'above-maximum': 1 }],
  ['$USDC:' + '9'.repeat(90) + '$', [], { 'above-maximum': 1 }],
  ['$DAI:50$', [], { 'unknown-denomination': 1 }],
  ['$usdc:50$', [], { 'unknown-denomination': 1 }],
  ['$USDC:-5$', [], { 'malformed-amount': 1 }],
  ['$USDC:1e3$', [], { 'malformed-amount': 1 }],
  ['$USDC:1,000$', [], { 'malformed-amount': 1 }],
  ['$USDC:.5$', [], { 'malformed-amount': 1 }],
  ['$USDC:5.$', [], { 'malformed-amount': 1 }],
  ['$USDC:0x10$', [], { 'malformed-amount': 1 }],
  ['$USDC:５０$', [], { 'malformed-amount': 1 }],
  ['＄USDC:50＄', []],
  ['$ＵＳＤＣ:50$', []],
  ['$USDC: 50$', []],
  ['$USDC :50$', []],
  ['USDC:50', []],
  ['$USDC:50', []],
  ['`$USDC:50$`', []],
  ['``a ` $USDC:50$ b``', []],
  ['`unclosed $USDC:50$', [USDC('50')]],
  ['```\n$USDC:50$\n```', []],
  ['~~~md\n$USDC:50$\n~~~\n$ETH:1$', [ETH(10n ** 18n)]],
  ['```\nunclosed fence $USDC:50$', []],
  ['text\n\n    $USDC:50$\n', []],
  ['> $USDC:50$', []],
  ['> quoted\nlazy continuation $USDC:50$\n\n$ETH:2$', [ETH(2n * 10n ** 18n)]],
  ['<!-- $USDC:50$ -->', []],
  ['<!-- unclosed $USDC:50$', []],
  ['before <!-- x --> $USDC:7$', [USDC('7')]],
  ['<code>$USDC:50$</code> <pre>$ETH:1$</pre>', []],
  ['$USDC:`x`5$', []],
  ['$USDC:5$ETH:1$', [USDC('5')]],
  ['$$USDC:5$$', [USDC('5')]],
  ['$USDC:5$ $USDC:5$', [USDC('5'), USDC('5')]],
  ['Crlf line\r\n$USDC:3$\r\n', [USDC('3')]],
  ['émoji 🎉 $USDC:3$ ünïcode', [USDC('3')]],
  [many(11, '$USDC:1$'), Array.from({ length: 10 }, () => USDC('1')), { 'over-cap': 1 }],
  [many(1000, '$USDC:2$'), Array.from({ length: 10 }, () => USDC('2')), { 'over-cap': 990 }],
  ['$A:1$', []],
  ['$TOOLONGSYMBOLNAME:1$', [], { 'unknown-denomination': 1 }],
  ['', []],
]

test('bounty grammar - a table of comment bodies gives exactly the expected bounties', () => {
  assert.ok(TABLE.length >= 40, 'at least 40 bodies')
  for (const [body, expected, refused] of TABLE) {
    const result = parseBounties(body, denominations)
    assert.deepEqual(
      result.bounties.map((bounty) => [bounty.symbol, bounty.amount]),
      expected.map(([symbol, units]) => [symbol, units]),
      `body ${JSON.stringify(body.slice(0, 80))}`,
    )
    if (refused) assert.deepEqual(result.refused, refused, `refusals for ${JSON.stringify(body.slice(0, 80))}`)
  }
})

test('bounty grammar - several of one denomination get their own slot, so an edit finds each again', () => {
  const { bounties } = parseBounties('$USDC:1$ $ETH:1$ $USDC:2$', denominations)
  assert.deepEqual(bounties.map((bounty) => bounty.slot), ['USDC#1', 'ETH#1', 'USDC#2'])
})

/** What the grammar accepts, written independently of the parser: a literal pattern, allow-listed, in range. */
function grammarAllows(body: string, symbol: string, amount: bigint): boolean {
  const denomination = denominations.get(symbol)
  if (!denomination || amount < denomination.min || amount > denomination.max) return false
  return body.includes(`$${symbol}:`)
}

const pieces = fc.oneof(
  fc.string(),
  fc.constantFrom('$', ':', '`', '```', '\n', '> ', '<!--', '-->', '    ', '＄', '.', '0', '9', 'USDC', 'ETH', 'DAI', '~~~'),
  fc.tuple(fc.constantFrom('USDC', 'ETH', 'usdc', 'BTC'), fc.stringMatching(/^[0-9]{0,30}(\.[0-9]{0,25})?$/)).map(([symbol, amount]) => `$${symbol}:${amount}$`),
)

test('bounty grammar - fuzz: never throws, never accepts what the grammar refuses', () => {
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 40 }).map((parts) => parts.join('')), (body) => {
      const result = parseBounties(body, denominations)
      assert.ok(result.bounties.length <= 10)
      for (const bounty of result.bounties) assert.ok(grammarAllows(body, bounty.symbol, bounty.amount), `accepted ${bounty.symbol} ${bounty.amount} from ${JSON.stringify(body)}`)
    }),
    { numRuns: 2000 },
  )
})

test('bounty grammar - fuzz: nothing inside a code block or an HTML comment is ever accepted', () => {
  fc.assert(
    fc.property(fc.string().filter((text) => !text.includes('```') && !text.includes('-->')), (inner) => {
      assert.deepEqual(parseBounties('```\n' + inner + ' $USDC:5$\n```', denominations).bounties, [])
      assert.deepEqual(parseBounties('<!--' + inner + ' $USDC:5$ -->', denominations).bounties, [])
    }),
    { numRuns: 500 },
  )
})
