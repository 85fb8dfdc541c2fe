import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createBus } from '@distributex/bus'
import { openStore } from '@distributex/store'
import { waitFor } from '@distributex/testkit'
import { concat, encodeAbiParameters, getAddress, keccak256, parseSignature, recoverTypedDataAddress, serializeSignature, toHex, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { bountiesService } from './index.js'
import { BOUNTY_TOPIC } from './bounty-publisher.js'
import { issueCommentPayload } from './sample-deliveries.js'
import { deliver, signAsWallet, startBountiesRig, typedDataFromPage, type WalletTypedData } from './bounties-test-kit.js'
import { migrations } from './migrations.js'
import type { BountiesDatabase, Bounty } from './bounty.js'
import { BountyStore } from './bounty-store.js'
import { createSignRequest, unixNow } from './sign-store.js'
import { bountyDigest, bountyTypedData, DEFAULT_VERIFYING_CONTRACT } from './bounty-typed-data.js'
import { DEFAULT_DENOMINATIONS, parseDenominations } from './denominations.js'
import { IDENTITY_TOPIC } from './wallet-links.js'

// Well-known development keys (Hardhat's first two accounts): never hold value.
const FUNDER = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
const OTHER = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9c86dae88c7b5d71e6e8bf5a2a0c2b')
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

async function build(t: TestContext, env: NodeJS.ProcessEnv = {}) {
  const rig = await startBountiesRig({ env })
  const bus = createBus(undefined)
  const { app, close } = await bountiesService.build({ dataDir: rig.dataDir, logLevel: 'silent', env: rig.env, databaseUrl: undefined, bus })
  const watch = await openStore<BountiesDatabase>({ service: 'bounties', migrations, dataDir: rig.dataDir })
  t.after(async () => {
    await watch.close()
    await close()
    await rig.stop()
    await bus.close()
  })
  const store = new BountyStore(watch.db)
  await deliver(app, 'issue_comment', issueCommentPayload('created', { commentId: 31, issueNumber: 7, body: 'Fix it: $USDC:50$ $ETH:0.5$' }))
  const bounties = await waitFor(async () => {
    const list = await store.thread('octo-org/hello-world', 7)
    return list.length === 2 ? list : undefined
  }, { what: 'two bounties', timeoutMs: 10_000 })
  const usdc = bounties.find((bounty) => bounty.denomination === 'USDC') as Bounty
  const eth = bounties.find((bounty) => bounty.denomination === 'ETH') as Bounty
  /** Opens the signing page and reads the typed data it hands out, with `funder` filled in as the page's script does. */
  const typedFor = async (bounty: Bounty, funder = FUNDER.address): Promise<WalletTypedData> => {
    const page = await app.inject({ url: `/bounties/sign/${bounty.id}` })
    assert.equal(page.statusCode, 200)
    const typed = typedDataFromPage(page.body)
    return { ...typed, message: { ...typed.message, funder } }
  }
  const post = (bounty: Bounty, signature: Hex, typed: WalletTypedData) =>
    app.inject({ method: 'POST', url: `/bounties/sign/${bounty.id}`, payload: { signature, typedData: { domain: typed.domain, message: typed.message } } })
  /** Everything a refused signature must leave as it was. */
  const snapshot = async () => ({
    bounties: (await store.thread('octo-org/hello-world', 7)).map((bounty) => `${bounty.id}:${bounty.state}:${bounty.version}:${bounty.signatureHash ?? ''}`),
    used: (await watch.db.selectFrom('sign_requests').select('nonce').where('used_at', 'is not', null).execute()).length,
    signedEvents: (await bus.read(BOUNTY_TOPIC, {})).messages.filter((message) => message.envelope.type === 'bounty.signed').length,
  })
  return { app, rig, bus, watch, store, usdc, eth, typedFor, post, snapshot }
}

test('bounty signing - a valid signature signs once: bounty.signed on the bus, the ledger and the bot comment follow, the answer names the issue', async (t) => {
  const { rig, bus, store, usdc, typedFor, post, snapshot } = await build(t)
  const typed = await typedFor(usdc)
  assert.equal(typed.domain.chainId, 1)
  assert.equal(typed.message.amount, '50000000', 'the amount in base units')
  assert.equal(typed.message.commentNodeId, 'IC_kwDOAB31')
  const signature = await signAsWallet(FUNDER, typed)
  const answer = await post(usdc, signature, typed)
  assert.equal(answer.statusCode, 200, answer.body)
  assert.deepEqual(answer.json(), { outcome: 'signed', location: 'https://github.com/octo-org/hello-world/issues/7' })
  const signed = await store.get(usdc.id)
  assert.equal(signed?.state, 'signed')
  assert.equal(signed?.signer, FUNDER.address)
  assert.equal(signed?.signatureHash, keccak256(signature))

  // The same signature again: the same answer, nothing done twice.
  const before = await snapshot()
  const again = await post(usdc, signature, typed)
  assert.equal(again.statusCode, 200)
  assert.equal((again.json() as { again?: boolean }).again, true)

  await waitFor(async () => (await bus.read(BOUNTY_TOPIC, {})).messages.some((message) => message.envelope.type === 'bounty.signed'), { what: 'bounty.signed on the bus', timeoutMs: 10_000 })
  const event = (await bus.read(BOUNTY_TOPIC, {})).messages.find((message) => message.envelope.type === 'bounty.signed')
  assert.deepEqual({ id: event?.envelope.id, signer: (event?.envelope.data as { signer: string }).signer }, { id: `${usdc.id}:2`, signer: FUNDER.address })
  await waitFor(async () => (await rig.ledgerClient?.totals('GROUP_BY_DENOMINATION'))?.find((total) => total.denomination === 'USDC')?.signed === '50000000', { what: 'the ledger marks it signed', timeoutMs: 10_000 })
  const comment = await waitFor(() => rig.double.comments('octo-org/hello-world', 7).find((one) => /50 USDC \| @[^|]+\| signed/.test(one.body)), { what: 'the bot comment edited', timeoutMs: 10_000 })
  assert.ok(!comment.body.includes(`/bounties/sign/${usdc.id}`), 'no sign link for a signed bounty')
  assert.deepEqual(await snapshot(), { ...before, signedEvents: 1 })
})

test('bounty signing - each refusal names what to do and changes nothing', async (t) => {
  const { watch, usdc, eth, typedFor, post, snapshot } = await build(t)
  type Sent = { signature: Hex; typed: WalletTypedData }
  /** The typed data as `wallet` signs it and the page sends it. */
  const signs = async (typed: WalletTypedData, wallet = FUNDER): Promise<Sent> => ({ typed, signature: await signAsWallet(wallet, typed) })
  /** The USDC bounty's typed data with some message fields changed. */
  const changed = (base: WalletTypedData, message: Record<string, string>): WalletTypedData => ({ ...base, message: { ...base.message, ...message } })
  const cases: { name: string; code: string; status: number; make(): Promise<Sent> }[] = [
    { name: "another account's wallet signs for the funder's address", code: 'wrong-signer', status: 403, make: async () => signs(await typedFor(usdc), OTHER) },
    {
      name: 'a signature for another chain id',
      code: 'another-chain',
      status: 400,
      make: async () => {
        const base = await typedFor(usdc)
        return signs({ ...base, domain: { ...base.domain, chainId: 5 } })
      },
    },
    { name: 'a changed amount, signed and sent', code: 'tampered', status: 400, make: async () => signs(changed(await typedFor(usdc), { amount: '1' })) },
    {
      name: 'a changed amount signed, the stored one sent',
      code: 'wrong-signer',
      status: 403,
      make: async () => {
        const typed = await typedFor(usdc)
        return { typed, signature: (await signs(changed(typed, { amount: '1' }))).signature }
      },
    },
    {
      name: 'a deadline in the past',
      code: 'expired',
      status: 410,
      make: async () => {
        const base = await typedFor(usdc)
        const old = await createSignRequest(watch.db, usdc.id, { deadline: unixNow() - 60n })
        return signs(changed(base, { nonce: old.nonce.toString(), deadline: old.deadline.toString() }))
      },
    },
    {
      name: 'a nonce handed out for another bounty',
      code: 'unknown-request',
      status: 400,
      make: async () => {
        const other = await typedFor(eth)
        return signs(changed(await typedFor(usdc), { nonce: other.message.nonce as string, deadline: other.message.deadline as string }))
      },
    },
    {
      name: 'a high-s copy of a valid signature',
      code: 'high-s',
      status: 400,
      make: async () => {
        const { typed, signature } = await signs(await typedFor(usdc))
        const valid = parseSignature(signature)
        return { typed, signature: serializeSignature({ r: valid.r, s: toHex(SECP256K1_N - BigInt(valid.s), { size: 32 }), yParity: valid.yParity === 0 ? 1 : 0 }) }
      },
    },
  ]
  for (const refusal of cases) {
    await t.test(refusal.name, async () => {
      const { signature, typed } = await refusal.make()
      const before = await snapshot()
      const answer = await post(usdc, signature, typed)
      assert.equal(answer.statusCode, refusal.status, answer.body)
      const body = answer.json() as { error: string; message: string }
      assert.equal(body.error, refusal.code, body.message)
      assert.match(body.message, /sign|reload/i, 'the message says what to do')
      assert.deepEqual(await snapshot(), before, 'nothing changed')
    })
  }

  await t.test('the high-s copy recovers to the funder: only the EIP-2 check refuses it', async () => {
    const typed = await typedFor(usdc)
    const valid = parseSignature(await signAsWallet(FUNDER, typed))
    const high = serializeSignature({ r: valid.r, s: toHex(SECP256K1_N - BigInt(valid.s), { size: 32 }), yParity: valid.yParity === 0 ? 1 : 0 })
    const { EIP712Domain: _domain, ...types } = typed.types
    const message = Object.fromEntries(Object.entries(typed.message).map(([key, value]) => [key, /^\d+$/.test(String(value)) && key !== 'bountyId' && key !== 'commentNodeId' ? BigInt(value) : value]))
    assert.equal(await recoverTypedDataAddress({ domain: { ...typed.domain, chainId: Number(typed.domain.chainId), verifyingContract: typed.domain.verifyingContract as Hex }, types, primaryType: 'Bounty', message, signature: high }), FUNDER.address)
  })

  await t.test('a nonce once used is refused', async () => {
    const typed = await typedFor(eth)
    assert.equal((await post(eth, await signAsWallet(FUNDER, typed), typed)).statusCode, 200)
    const before = await snapshot()
    // Another wallet's signature over the same (used) request: refused, the bounty stays as the first signature left it.
    const other = { ...typed, message: { ...typed.message, funder: OTHER.address } }
    const answer = await post(eth, await signAsWallet(OTHER, other), other)
    assert.equal(answer.statusCode, 409)
    assert.deepEqual(await snapshot(), before)
  })

  const page = await typedFor(usdc)
  assert.equal((await post(usdc, await signAsWallet(FUNDER, page), page)).statusCode, 200, 'after all the refusals, a valid signature still signs')
})

test('bounty signing - the EIP-712 digest of a fixed example equals the vector computed by hand, and recovers to the test account', async () => {
  const denominations = parseDenominations(DEFAULT_DENOMINATIONS)
  const bounty = { id: 'b0unty-1', repositoryId: '1296269', issueNumber: 1347, commentNodeId: 'IC_kwDOABCD1234', denomination: 'USDC', amount: 50_000_000n } as unknown as Bounty
  const typed = bountyTypedData(bounty, denominations, { nonce: 42n, deadline: 1_900_000_000n, funder: FUNDER.address, verifyingContract: DEFAULT_VERIFYING_CONTRACT })
  // By hand: EIP-712's hashStruct with abi encoding, not viem's typed-data code.
  const text = (value: string) => keccak256(toHex(value))
  const domainType = text('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)')
  const domainSeparator = keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }], [domainType, text('distributex Bounties'), text('1'), 1n, DEFAULT_VERIFYING_CONTRACT]))
  const bountyType = text('Bounty(string bountyId,uint256 repositoryId,uint256 issueNumber,string commentNodeId,address token,uint256 amount,address funder,uint256 nonce,uint256 deadline)')
  const structHash = keccak256(
    encodeAbiParameters(
      ['bytes32', 'bytes32', 'uint256', 'uint256', 'bytes32', 'address', 'uint256', 'address', 'uint256', 'uint256'].map((type) => ({ type })),
      [bountyType, text('b0unty-1'), 1296269n, 1347n, text('IC_kwDOABCD1234'), getAddress('0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'), 50_000_000n, FUNDER.address, 42n, 1_900_000_000n],
    ),
  )
  const digest = keccak256(concat(['0x1901', domainSeparator, structHash]))
  assert.equal(bountyDigest(typed), digest)
  // The vector documented in docs/bounties.md#signing.
  assert.equal(digest, DOCUMENTED_DIGEST)
  assert.equal(await recoverTypedDataAddress({ ...typed, signature: await FUNDER.signTypedData(typed) }), FUNDER.address)
})

const DOCUMENTED_DIGEST = '0x83c0457a8b8fbabb7527cd2066aff74ddad97fd048120fa8fa3dd0bf6afc12a5'

test('bounty signing - with DX_BOUNTY_SIGNERS=linked only a wallet linked to the funder\'s GitHub account signs, as learnt from identity.linked / identity.unlinked', async (t) => {
  const { app, bus, usdc, eth, typedFor, post, snapshot } = await build(t, { DX_BOUNTY_SIGNERS: 'linked' })
  const identityEvent = (type: 'identity.linked' | 'identity.unlinked', githubLogin: string, address: string, source = 'identity') => bus.publish(IDENTITY_TOPIC, { type, source, data: { githubLogin, address } })
  const pageSays = (pattern: RegExp) => waitFor(async () => pattern.test((await app.inject({ url: `/bounties/sign/${usdc.id}` })).body), { what: `the page to say ${String(pattern)}`, timeoutMs: 10_000 })
  const refusedAsNotLinked = async (bounty: Bounty, account: typeof FUNDER) => {
    const typed = await typedFor(bounty, account.address)
    const before = await snapshot()
    const answer = await post(bounty, await signAsWallet(account, typed), typed)
    assert.equal(answer.statusCode, 403, answer.body)
    assert.equal((answer.json() as { error: string }).error, 'not-linked')
    assert.match((answer.json() as { message: string }).message, new RegExp(`not linked to @ada.*Link this wallet`))
    assert.deepEqual(await snapshot(), before)
  }
  await pageSays(/No wallet is linked to @ada yet/)
  await refusedAsNotLinked(usdc, FUNDER)

  // Another account's wallet (linked to @grace), and a link announced by something that is not Identity: both refused.
  await identityEvent('identity.linked', 'grace', OTHER.address)
  await identityEvent('identity.linked', 'ada', OTHER.address, 'news')
  await identityEvent('identity.linked', 'Ada', FUNDER.address)
  await pageSays(new RegExp(`Linked: <span class="font-mono">${FUNDER.address}</span>\\.`))
  await refusedAsNotLinked(usdc, OTHER)

  const typed = await typedFor(usdc)
  assert.equal((await post(usdc, await signAsWallet(FUNDER, typed), typed)).statusCode, 200, 'the linked wallet signs')

  // Unlinking takes effect for the next signature.
  await identityEvent('identity.unlinked', 'ada', FUNDER.address)
  await waitFor(async () => /No wallet is linked to @ada yet/.test((await app.inject({ url: `/bounties/sign/${eth.id}` })).body), { what: 'the unlink learnt', timeoutMs: 10_000 })
  await refusedAsNotLinked(eth, FUNDER)
})
