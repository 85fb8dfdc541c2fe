import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { checkChannelToken, signChannelToken } from './channel-token.js'
import {
  credentialMac,
  faultsCredential,
  personId,
  presenceReadToken,
  publishCredential,
  purposeKey,
  sameCredential,
  type CredentialPurpose,
} from './credentials.js'
import { signIdentity, verifyIdentity } from './identity.js'

const SECRET = '0123456789abcdef0123456789abcdef'

/** The rows of the test-vector table in docs/protocol.md §1.4: the document is the one source. */
function vectors(): { purpose: CredentialPurpose; message: string; key: string; mac: string }[] {
  const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8')
  const table = doc.split('<!-- credential vectors')[1]?.split('\n\n')[0] ?? ''
  return table
    .split('\n')
    .filter((line) => /^\| `[a-z-]+` \|/.test(line))
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim().replace(/^`|`$/g, '').replaceAll('\\|', '|'))
      const [purpose = '', message = '', key = '', mac = ''] = cells
      return { purpose: purpose as CredentialPurpose, message, key, mac }
    })
}

test('credentials - every test vector of docs/protocol.md §1.4 derives the same key and MAC', () => {
  const rows = vectors()
  assert.equal(rows.length, 9, 'one row per purpose')
  for (const row of rows) {
    assert.equal(purposeKey(SECRET, row.purpose).toString('hex'), row.key, `key for ${row.purpose}`)
    assert.equal(credentialMac(SECRET, row.purpose, row.message).toString('hex'), row.mac, `MAC for ${row.purpose}`)
  }
})

test('credentials - the whole-token vectors of §1.4, §3.1, §6.1, §9.2 and §10.1', () => {
  const identity = signIdentity(SECRET, { sub: 'anon:s_1', sid: 's_1' }, 1893456000 * 1000)
  assert.equal(identity, 'eyJzdWIiOiJhbm9uOnNfMSIsInNpZCI6InNfMSIsImlhdCI6MTg5MzQ1NjAwMCwiZXhwIjoxODkzNDU2MzAwfQ.TKTOhj-c_Cj_OVPnkbCAg3WqZ0n1Obo_-ZeTJH0cURc')
  assert.equal(verifyIdentity(SECRET, identity, 1893456100 * 1000).sid, 's_1')
  const token = signChannelToken(SECRET, 'todo:list', 's_1', (1894060800 - 7 * 24 * 3600) * 1000)
  assert.equal(token, '1894060800.eI2NR9FEgs05OBM_ImPl7ofFBko8BkPEuK59GyCxUfk')
  assert.equal(checkChannelToken(SECRET, token, 'todo:list', 's_1', 1894000000 * 1000), undefined)
  assert.equal(personId(SECRET, 's_1'), 'p_1Ooe19HtCqVReAGz')
  assert.equal(faultsCredential(SECRET, 'polls'), '-SpNMEwG1THmsVfQHVRhbZTmfqPLK4bsmX2iuNhg6Tg')
  assert.equal(publishCredential(SECRET, 'polls'), 'polls.71e7a8f6bbf98aa64f3abbd56475c498b1f1206b2538f04614f549b318e3adbf')
  assert.equal(presenceReadToken(SECRET, 'chat:room:lobby'), Buffer.from('005043aa37d25a467fba364c0d62a98a4e05a140422b6d6faa2065ee170e7b89', 'hex').toString('base64url'))
})

test('credentials - a MAC made for one purpose does not pass as another', () => {
  const purposes: CredentialPurpose[] = ['identity', 'channel-token', 'person', 'presence-read', 'publish', 'faults', 'session-cookie', 'chat-session']
  const macs = new Set(purposes.map((purpose) => credentialMac(SECRET, purpose, 'same message').toString('hex')))
  assert.equal(macs.size, purposes.length)
  assert.notEqual(credentialMac('another secret of at least 32 chars', 'identity', 'm').toString('hex'), credentialMac(SECRET, 'identity', 'm').toString('hex'))
})

test('credentials - the constant-time compare takes strings or bytes and refuses other lengths', () => {
  assert.equal(sameCredential('abc', Buffer.from('abc')), true)
  assert.equal(sameCredential('abc', 'abd'), false)
  assert.equal(sameCredential('abc', 'abcd'), false)
})
