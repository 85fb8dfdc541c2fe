/**
 * Child process: what Bounties talks to after answering, outside its own
 * process, as in a deployment: the GitHub double (with the App key pair) and
 * the Ledger.
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGitHubDouble } from '@distributex/bounties/github-double'
import { ledgerService } from '@distributex/ledger'
import { answerRequests, runChild } from '../common/child-protocol.js'
import { BENCH_APP_ID, BENCH_DX_SECRET } from './settings.js'

export interface OutsideInfo {
  githubUrl: string
  ledgerAddress: string
  privateKey: string
}

let stop = async () => {}

runChild<OutsideInfo>(
  async () => {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
    const double = await startGitHubDouble({ appId: BENCH_APP_ID, publicKey: keys.publicKey })
    const dataDir = mkdtempSync(join(tmpdir(), 'dx-bench-ledger-'))
    const ledger = await ledgerService.start({ port: 0, env: { DX_SECRET: BENCH_DX_SECRET }, dataDir, databaseUrl: undefined })
    stop = async () => {
      await ledger.stop()
      await double.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
    answerRequests(() => ({ comments: double.comments().length, edits: double.comments().reduce((sum, comment) => sum + comment.history.length - 1, 0) }))
    return { githubUrl: double.url, ledgerAddress: ledger.address, privateKey: keys.privateKey }
  },
  () => stop(),
)
