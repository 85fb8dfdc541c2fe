/* global document, window */
// The signing page's script (docs/bounties.md#signing), loaded with the board widget (on a page
// without the signing panel it does nothing): finds browser wallets
// with EIP-6963 (each announces itself on `eip6963:announceProvider`) and falls
// back to `window.ethereum` (EIP-1193); asks the chosen wallet for an account,
// switches it to the bounty's chain (`wallet_switchEthereumChain`), asks for an
// `eth_signTypedData_v4` signature over the typed data the page was given, and
// posts it. The server checks everything again; this script only carries it.
;(() => {
  /** How long wallets get to announce themselves before the page says none was found. */
  const ANNOUNCE_MS = 400

  const messageFor = (error, chainLabel) => {
    const code = error && typeof error === 'object' ? error.code : undefined
    if (code === 4001) return 'You declined the request in your wallet. Nothing was signed. Press the button to try again.'
    if (code === 4902) return `Your wallet does not know ${chainLabel}. Add that network in your wallet, then press the button again.`
    if (code === -32002) return 'Your wallet already has a request waiting. Open the wallet, answer it, then press the button again.'
    if (code === 4100) return 'Your wallet has not allowed this site to use the account. Unlock the wallet and connect this site, then try again.'
    const detail = error && error.message ? ` (${error.message})` : ''
    return `The wallet could not complete the request${detail}. Press the button to try again.`
  }

  function start(root) {
    if (root.dataset.ready) return
    root.dataset.ready = '1'
    const status = root.querySelector('#sign-status')
    const button = root.querySelector('#sign-button')
    const list = root.querySelector('#sign-wallets')
    const chainId = Number(root.dataset.chainId)
    const chainHex = `0x${chainId.toString(16)}`
    const chainLabel = root.dataset.chainLabel || `chain ${chainId}`
    const typed = JSON.parse(root.dataset.typedData)
    const found = new Map()
    let chosen

    const say = (text, tone) => {
      status.textContent = text
      status.dataset.tone = tone || 'info'
      status.className = `mt-3 text-sm ${tone === 'error' ? 'text-rose-700' : tone === 'done' ? 'text-emerald-700' : 'text-slate-700'}`
    }

    const choose = (entry) => {
      chosen = entry
      button.disabled = false
      button.textContent = `Sign with ${entry.name}`
      say(`Ready: ${entry.name} will ask you to sign on ${chainLabel}.`)
    }

    const showChoices = () => {
      const entries = [...found.values()]
      list.replaceChildren()
      if (entries.length > 1) {
        list.hidden = false
        for (const entry of entries) {
          const pick = document.createElement('button')
          pick.type = 'button'
          pick.className = 'dx-btn-quiet ring-1 ring-slate-300'
          pick.textContent = entry.name
          pick.dataset.wallet = entry.rdns
          pick.addEventListener('click', () => choose(entry))
          list.append(pick)
        }
      }
      if (!chosen && entries.length > 0) choose(entries[0])
    }

    window.addEventListener('eip6963:announceProvider', (event) => {
      const detail = event.detail
      if (!detail || !detail.info || !detail.provider || typeof detail.provider.request !== 'function') return
      found.set(detail.info.uuid || detail.info.rdns, { name: String(detail.info.name || 'your wallet'), rdns: String(detail.info.rdns || ''), provider: detail.provider })
      showChoices()
    })
    window.dispatchEvent(new Event('eip6963:requestProvider'))

    window.setTimeout(() => {
      if (found.size > 0) return
      const legacy = window.ethereum
      if (legacy && typeof legacy.request === 'function') {
        found.set('window.ethereum', { name: 'your wallet', rdns: 'window.ethereum', provider: legacy })
        showChoices()
        return
      }
      say(`No browser wallet was found. Signing needs a wallet extension such as MetaMask, Rabby or Coinbase Wallet, with an account on ${chainLabel}. Install or unlock one, then reload this page.`, 'error')
      root.dataset.wallet = 'none'
    }, ANNOUNCE_MS)

    const sign = async () => {
      const { provider, name } = chosen
      button.disabled = true
      try {
        say(`Asking ${name} for your account…`)
        const accounts = await provider.request({ method: 'eth_requestAccounts' })
        const account = accounts && accounts[0]
        if (!account) throw Object.assign(new Error('the wallet gave no account'), { code: 4100 })
        const current = await provider.request({ method: 'eth_chainId' })
        if (Number(current) !== chainId) {
          say(`Asking ${name} to switch to ${chainLabel}…`)
          await provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: chainHex }] })
        }
        say(`Check the bounty in ${name} and sign it.`)
        const data = { ...typed, message: { ...typed.message, funder: account } }
        const signature = await provider.request({ method: 'eth_signTypedData_v4', params: [account, JSON.stringify(data)] })
        say('Checking the signature…')
        const response = await fetch(root.dataset.post, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify({ signature, typedData: { domain: data.domain, message: data.message } }),
        })
        const answer = await response.json().catch(() => ({}))
        if (!response.ok) {
          say(`${answer.message || `The server refused the signature (${response.status}).`}`, 'error')
          root.dataset.refusal = answer.error || String(response.status)
          button.disabled = false
          return
        }
        root.dataset.signed = '1'
        say('Signed. Taking you back to GitHub…', 'done')
        window.location.assign(answer.location)
      } catch (error) {
        root.dataset.refusal = error && error.code !== undefined ? String(error.code) : 'error'
        say(messageFor(error, chainLabel), 'error')
        button.disabled = false
      }
    }
    button.addEventListener('click', () => {
      if (chosen) void sign()
    })
  }

  const look = () => {
    const root = document.getElementById('bounty-signer')
    if (root) start(root)
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', look)
  else look()
  // Composed through the gateway, the page may arrive after this script.
  document.addEventListener('htmx:load', look)
})()
