/**
 * The network matrix as compose's files state it, without a Docker engine:
 * every pair of compose services shares a network exactly when the matrix
 * allows a connection between their parts (in either direction: docker
 * networks have none), only the load balancer publishes a port, and only the
 * parts allowed out have a network with a way out. The same matrix is checked
 * on the Kubernetes NetworkPolicies (k8s.test) and from inside the running
 * containers (deploy.test).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { readComposeNetworks, shareNetwork } from './compose-networks.js'
import { allowed, allowedOnComposeNetworks, INTERNET_EGRESS, PARTS, partOf, type Part } from './network-matrix.js'

const COMPOSE = fileURLToPath(new URL('../compose.yaml', import.meta.url))
const COMPOSE_TEST = fileURLToPath(new URL('../compose.test.yaml', import.meta.url))

describe('network matrix - compose files', () => {
  for (const [label, files] of [
    ['compose.yaml', [COMPOSE]],
    ['compose.yaml with the test overlay', [COMPOSE, COMPOSE_TEST]],
  ] as const) {
    test(`network matrix - ${label}: two services share a network exactly when the matrix allows their parts to connect, either way`, () => {
      const compose = readComposeNetworks(files)
      const services = [...compose.services.keys()]
      const parts = new Set(services.map(partOf).filter((part): part is Part => part !== undefined))
      assert.deepEqual([...parts].sort(), [...PARTS].sort(), 'every part of the matrix runs in compose')
      const wrong: string[] = []
      let pairs = 0
      for (const a of services) {
        for (const b of services) {
          const from = partOf(a)
          const to = partOf(b)
          if (a === b || !from || !to || from === to) continue
          pairs++
          const shared = shareNetwork(compose, a, b)
          if (shared !== allowedOnComposeNetworks(from, to)) wrong.push(`${a} ↔ ${b}: ${shared ? 'share a network' : 'share none'}, the matrix says ${allowedOnComposeNetworks(from, to) ? 'they connect' : 'they must not'}`)
        }
      }
      assert.deepEqual(wrong, [])
      assert.ok(pairs >= 90, `every ordered pair of services of different parts checked (${pairs})`)
      // The arrows that matter most, spelled out.
      assert.equal(shareNetwork(compose, 'bounties', 'ledger'), true, 'Bounties reaches the Ledger')
      for (const other of services.filter((s) => !['bounties', 'ledger', 'postgres'].includes(s))) assert.equal(shareNetwork(compose, other, 'ledger'), false, `${other} cannot reach the Ledger`)
      for (const gateway of ['gateway-1', 'gateway-2']) assert.equal(shareNetwork(compose, gateway, 'postgres'), false, `${gateway} cannot reach the database`)
    })
  }

  test('network matrix - compose.yaml: only the load balancer publishes a port; only it and the parts allowed to the internet have a network with a way out', () => {
    const compose = readComposeNetworks([COMPOSE])
    assert.deepEqual(compose.publishing, ['lb'])
    const outward = [...compose.services].filter(([, networks]) => [...networks].some((network) => compose.networks.get(network)?.internal === false)).map(([service]) => service).sort()
    assert.deepEqual(outward, ['lb', ...INTERNET_EGRESS].sort())
    // Each part allowed out has an outward network of its own: two of them never meet there.
    const outwardNetworks = INTERNET_EGRESS.map((part) => [...(compose.services.get(part) ?? [])].filter((network) => compose.networks.get(network)?.internal === false))
    assert.equal(new Set(outwardNetworks.flat()).size, outwardNetworks.flat().length)
  })

  test('network matrix - with the test overlay nothing has a way out but the published port, and the Hacker News stand-in reaches Tech News only', () => {
    const compose = readComposeNetworks([COMPOSE, COMPOSE_TEST])
    const open = [...compose.networks].filter(([, settings]) => !settings.internal).map(([name]) => name)
    assert.deepEqual(open, ['public'])
    const reached = [...compose.services.keys()].filter((service) => service !== 'hacker-news' && shareNetwork(compose, 'hacker-news', service))
    assert.deepEqual(reached, ['news'])
  })

  test('network matrix - the rules themselves: the gateway never reaches the Ledger or the database, only Bounties reaches the Ledger', () => {
    assert.equal(allowed('gateway', 'ledger'), false)
    assert.equal(allowed('gateway', 'postgres'), false)
    assert.deepEqual(PARTS.filter((part) => allowed(part, 'ledger')), ['bounties'])
    assert.deepEqual(PARTS.filter((part) => allowed('ledger', part)), ['postgres'])
  })
})
