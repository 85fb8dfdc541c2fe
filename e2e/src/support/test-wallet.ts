/**
 * @module test-wallet
 * An EIP-1193 wallet injected into a Chromium page, backed by a local `viem`
 * private-key account in the test process (no chain, no network). It answers as
 * a wallet extension does: announces itself by EIP-6963 (or only sets
 * `window.ethereum`), switches chains on `wallet_switchEthereumChain`, refuses to
 * sign typed data for a chain it is not on, signs `personal_sign` messages, and can be told to answer "user
 * rejected" (4001). The signature is real: the account signs the typed data.
 */
import type { BrowserContext } from 'playwright-core'
import type { Hex, LocalAccount } from 'viem'
import { signAsWallet, type WalletTypedData } from '@distributex/bounties/testing'

export interface TestWallet {
  /** Every method the page asked for, in order. */
  readonly calls: string[]
  /** The chain the wallet is on (a number). */
  chainId: number
  /** When true, the next requests for accounts, a chain switch or a signature answer 4001. */
  rejecting: boolean
}

type Answer = { result: unknown } | { error: { code: number; message: string } }

const rejected = (): Answer => ({ error: { code: 4001, message: 'User rejected the request.' } })

/** Installs the wallet in every page of `context`; `announce: false` leaves only `window.ethereum`. */
export async function installTestWallet(context: BrowserContext, account: LocalAccount, { chainId = 5, announce = true }: { chainId?: number; announce?: boolean } = {}): Promise<TestWallet> {
  const wallet: TestWallet = { calls: [], chainId, rejecting: false }
  await context.exposeFunction('dxTestWallet', async (method: string, paramsJson: string): Promise<Answer> => {
    wallet.calls.push(method)
    const params = JSON.parse(paramsJson) as unknown[]
    switch (method) {
      case 'eth_accounts':
        return { result: [account.address] }
      case 'eth_requestAccounts':
        return wallet.rejecting ? rejected() : { result: [account.address] }
      case 'eth_chainId':
        return { result: `0x${wallet.chainId.toString(16)}` }
      case 'wallet_switchEthereumChain': {
        if (wallet.rejecting) return rejected()
        wallet.chainId = Number((params[0] as { chainId: string }).chainId)
        return { result: null }
      }
      case 'personal_sign': {
        // EIP-191: the message as hex, then the account (as Sign-In with Ethereum asks).
        if (wallet.rejecting) return rejected()
        const [message, address] = params as [Hex, string]
        if (address.toLowerCase() !== account.address.toLowerCase()) return { error: { code: 4100, message: 'The requested account has not been authorized.' } }
        return { result: await account.signMessage({ message: { raw: message } }) }
      }
      case 'eth_signTypedData_v4': {
        if (wallet.rejecting) return rejected()
        const [address, json] = params as [string, string]
        if (address.toLowerCase() !== account.address.toLowerCase()) return { error: { code: 4100, message: 'The requested account has not been authorized.' } }
        const data = JSON.parse(json) as WalletTypedData
        if (Number(data.domain.chainId) !== wallet.chainId) return { error: { code: -32602, message: `Provided chainId "${String(data.domain.chainId)}" must match the active chainId "${wallet.chainId}"` } }
        return { result: await signAsWallet(account, data) }
      }
      default:
        return { error: { code: 4200, message: `The wallet does not support ${method}.` } }
    }
  })
  await context.addInitScript((announce: boolean) => {
    const call = (window as unknown as { dxTestWallet(method: string, params: string): Promise<{ result?: unknown; error?: { code: number; message: string } }> }).dxTestWallet
    const provider = {
      async request({ method, params }: { method: string; params?: unknown[] }) {
        const answer = await call(method, JSON.stringify(params ?? []))
        if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code })
        return answer.result
      },
      on() {},
      removeListener() {},
    }
    ;(window as unknown as { ethereum: unknown }).ethereum = provider
    if (!announce) return
    const info = { uuid: '6f3d5b0e-6c1d-4a8e-9b0a-7f1e2d3c4b5a', name: 'Test Wallet', icon: 'data:image/svg+xml,%3Csvg xmlns="http://www.w3.org/2000/svg"/%3E', rdns: 'org.distributex.test-wallet' }
    const detail = Object.freeze({ info, provider })
    const announceProvider = () => window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail }))
    window.addEventListener('eip6963:requestProvider', announceProvider)
    announceProvider()
  }, announce)
  return wallet
}
