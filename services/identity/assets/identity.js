/* global document, window */
// The Identity widget's script: links a wallet with Sign-In with Ethereum
// (docs/bounties.md#identity). Finds a wallet (EIP-6963, else window.ethereum),
// asks it for an account, asks the server for the message to sign (the server
// writes it: domain, URI, chain id, nonce, expiry), has the wallet sign it
// (`personal_sign`) and posts message and signature back: Identity publishes
// that request on the bus and answers with its verdict (202 while it is still
// on its way). The server checks everything; this script only carries it.
;(() => {
  const ANNOUNCE_MS = 400
  const wallets = []
  window.addEventListener('eip6963:announceProvider', (event) => {
    const detail = event.detail
    if (detail && detail.provider && !wallets.some((one) => one.provider === detail.provider)) wallets.push({ name: (detail.info && detail.info.name) || 'your wallet', provider: detail.provider })
  })
  window.dispatchEvent(new Event('eip6963:requestProvider'))

  const messageFor = (error) => {
    const code = error && typeof error === 'object' ? error.code : undefined
    if (code === 4001) return 'You declined the request in your wallet. Nothing was linked. Press "Link wallet" to try again.'
    if (code === -32002) return 'Your wallet already has a request waiting. Open the wallet, answer it, then press "Link wallet" again.'
    return `The wallet could not complete the request${error && error.message ? ` (${error.message})` : ''}. Press "Link wallet" to try again.`
  }

  const post = async (path, body) => {
    const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' })
    const answer = await response.json().catch(() => ({}))
    if (!response.ok) throw Object.assign(new Error(answer.message || `The server answered ${response.status}.`), { server: true })
    return answer
  }

  function start(root) {
    if (root.dataset.ready) return
    const button = root.querySelector('#identity-link-wallet')
    const status = root.querySelector('#identity-wallet-status')
    if (!button || !status) return
    root.dataset.ready = '1'
    const say = (text, tone) => {
      status.textContent = text
      status.dataset.tone = tone || 'info'
    }
    const wallet = () => wallets[0] || (window.ethereum ? { name: 'your wallet', provider: window.ethereum } : undefined)
    window.setTimeout(() => {
      const found = wallet()
      if (!found) return say('No browser wallet was found. Install a wallet extension such as MetaMask, then reload this page.', 'error')
      button.disabled = false
      button.textContent = `Link wallet (${found.name})`
    }, ANNOUNCE_MS)
    button.addEventListener('click', async () => {
      const found = wallet()
      if (!found) return
      button.disabled = true
      try {
        const [address] = await found.provider.request({ method: 'eth_requestAccounts' })
        say('Asking the server for the message to sign…')
        const { message } = await post('/identity/wallet/message', { address })
        say('Sign the message in your wallet.')
        const hex = `0x${[...new TextEncoder().encode(message)].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`
        const signature = await found.provider.request({ method: 'personal_sign', params: [hex, address] })
        say('Identity is checking the signed message…')
        const linked = await post('/identity/wallet/link', { message, signature })
        if (linked.error === 'pending') {
          say(linked.message, 'info')
          return
        }
        say(`Linked ${linked.address} to @${linked.login}.`, 'done')
        window.location.reload()
      } catch (error) {
        say(error && error.server ? error.message : messageFor(error), 'error')
        button.disabled = false
      }
    })
  }

  const scan = () => document.querySelectorAll('#identity-app').forEach(start)
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', scan)
  else scan()
  document.addEventListener('htmx:afterSettle', scan)
})()
