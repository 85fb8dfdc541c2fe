import { test } from 'node:test'
import { engineUrl, requireEngine } from '@distributex/testkit'
import { browserSkip, launchBrowser } from './support/browser.js'
import { chatClusterScenario } from './chat-cluster-scenario.js'

const engines = [requireEngine('NATS_URL'), requireEngine('DATABASE_URL')]
const skip = browserSkip() || engines.map((e) => e.skip).find(Boolean) || false

test('e2e chat cluster (NATS + PostgreSQL) - 2 chat and 2 gateway processes: every accepted message reaches both gateways, also after a kill', { skip, timeout: 55_000 }, async (t) => {
  const browser = await launchBrowser()
  t.after(() => browser.close())
  await chatClusterScenario(browser, engineUrl('NATS_URL'), engineUrl('DATABASE_URL'))
})
