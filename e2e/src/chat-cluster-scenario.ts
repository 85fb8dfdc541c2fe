/**
 * @module chat-cluster-scenario
 * Acceptance 3 of the chat, run on one broker (a single server or a cluster): messages sent through either
 * chat process reach people on both gateways; with one chat process and one
 * gateway killed, every accepted message still reaches everyone, once and in
 * order, including the person whose gateway died (after it is back).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import { engineUrl, requireEngine } from '@distributex/testkit'
import { browserSkip, launchBrowser } from './support/browser.js'
import { following, openChat, pickNickname } from './support/chat-app.js'
import { chatBot, startChatCluster } from './support/chat-cluster.js'

async function texts(page: Page): Promise<string[]> {
  return page.locator('.chat-msg .chat-text').allTextContents()
}

async function waitForTexts(page: Page, wanted: string[], timeout: number): Promise<void> {
  const deadline = Date.now() + timeout
  for (;;) {
    const shown = await texts(page)
    if (wanted.every((text) => shown.includes(text))) return
    if (Date.now() > deadline) assert.fail(`missing ${JSON.stringify(wanted.filter((t) => !shown.includes(t)))}; shown ${JSON.stringify(shown)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function chatClusterScenario(browser: Browser, busUrl: string, databaseUrl: string): Promise<void> {
  const cluster = await startChatCluster({ busUrl, databaseUrl })
  try {
    const [chat1, chat2] = cluster.chats as [(typeof cluster.chats)[0], (typeof cluster.chats)[0]]
    const [gateway1, gateway2] = cluster.gateways as [(typeof cluster.gateways)[0], (typeof cluster.gateways)[0]]
    const id = randomBytes(3).toString('hex')
    const slug = `cluster-${id}`
    const ada = await openChat(browser, `${gateway1.url}/`)
    const bob = await openChat(browser, `${gateway2.url}/`)
    await pickNickname(ada, `Ada ${id}`)
    await pickNickname(bob, `Bob ${id}`)
    await following(bob, 'chat:rooms')
    await ada.locator('#chat-room-name').fill(`Cluster ${id}`)
    await ada.locator('#chat-room-name').press('Enter')
    await following(ada, `chat:room:${slug}`)
    await bob.locator(`#chat-room-${slug} button`).click({ timeout: 5000 })
    await following(bob, `chat:room:${slug}`)
    // Presence travels by beats across both gateways: allow seconds.
    await ada
      .locator(`#chat-members-${slug} li`, { hasText: `Bob ${id}` })
      .waitFor({ timeout: 20_000 })
      .catch(async (error: Error) => {
        // Say what each page shows, so a failure tells a list that never came from one that came without Bob.
        const shown = async (page: typeof ada) => page.locator(`#chat-members-${slug}`).innerText({ timeout: 1000 }).catch(() => '(no list)')
        throw new Error(`Bob ${id} not in Ada's member list within 20 s: Ada's list shows ${JSON.stringify(await shown(ada))}, Bob's ${JSON.stringify(await shown(bob))} (${error.message.split('\n')[0]})`)
      })

    // Through either chat process, to both gateways.
    const bot1 = await chatBot(chat1, `Bot1 ${id}`)
    const bot2 = await chatBot(chat2, `Bot2 ${id}`)
    await bot1.join(chat1, slug)
    assert.ok(await bot1.say(chat1, slug, 'via chat#1'))
    assert.ok(await bot2.say(chat2, slug, 'via chat#2'))
    await ada.locator('#chat-text-' + slug).fill('from Ada on gateway#1')
    await ada.locator('#chat-text-' + slug).press('Enter')
    const before = ['via chat#1', 'via chat#2', 'from Ada on gateway#1']
    await waitForTexts(bob, before, 5000)
    await waitForTexts(ada, before, 5000)

    // A burst through both chat processes, and one chat process and Ada's gateway killed in the middle of it.
    const burst = Array.from({ length: 20 }, (_, i) => `burst ${i + 1}`)
    const sending = burst.map(async (text, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 10))
      return (await (i % 2 ? bot1.say(chat1, slug, text) : bot2.say(chat2, slug, text))) ? text : undefined
    })
    await new Promise((resolve) => setTimeout(resolve, 60))
    await Promise.all([chat1.kill(), gateway1.kill()])
    const acceptedInBurst = (await Promise.all(sending)).filter((text): text is string => text !== undefined)
    assert.ok(acceptedInBurst.length >= 10, `the surviving process accepted its share (${acceptedInBurst.length} of 20)`)
    // Then keep sending through both: what the dead one refuses is sent again through the other.
    const accepted: string[] = [...acceptedInBurst]
    for (let i = 1; i <= 8; i++) {
      const text = `after the crash ${i}`
      if (await bot2.say(i % 2 ? chat1 : chat2, slug, text)) accepted.push(text)
      else if (await bot2.say(chat2, slug, text)) accepted.push(text)
    }
    assert.equal(accepted.length, acceptedInBurst.length + 8, 'the surviving chat process accepts everything')
    await waitForTexts(bob, accepted, 5000)

    // Ada's gateway comes back: her page reconnects and catches up from its last position.
    await gateway1.start()
    await waitForTexts(ada, accepted, 15_000)
    for (const page of [ada, bob]) {
      const shown = await texts(page)
      const ours = shown.filter((text) => before.includes(text) || accepted.includes(text))
      assert.equal(ours.length, before.length + accepted.length, 'every accepted message once')
      assert.deepEqual(ours.slice(-8), accepted.slice(-8), 'in the order accepted')
    }
    await ada.context().close()
    await bob.context().close()
  } finally {
    await cluster.close()
  }
}

/** Registers the scenario as a test on the broker at `bus` (with PostgreSQL), skipped where the broker, the database or Chromium is missing. */
export function chatClusterTest(bus: 'REDIS_URL' | 'NATS_URL', label: string): void {
  chatClusterTestOn(label, () => engineUrl(bus), requireEngine(bus).skip)
}

/**
 * Registers the scenario on the bus `busUrl` answers (read when the test runs, so a `before` hook may start
 * the broker), with PostgreSQL; skipped for `brokerSkip`, or where the database or Chromium is missing.
 */
export function chatClusterTestOn(label: string, busUrl: () => string, brokerSkip: string | false, { timeoutMs = 55_000 } = {}): void {
  const skip = browserSkip() || brokerSkip || requireEngine('DATABASE_URL').skip || false
  test(`e2e chat cluster (${label} + PostgreSQL) - 2 chat and 2 gateway processes: every accepted message reaches both gateways, also after a kill`, { skip, timeout: timeoutMs }, async (t) => {
    const browser = await launchBrowser()
    t.after(() => browser.close())
    await chatClusterScenario(browser, busUrl(), engineUrl('DATABASE_URL'))
  })
}
