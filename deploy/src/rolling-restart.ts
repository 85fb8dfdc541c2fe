/**
 * @module rolling-restart
 * Acceptance 2: both gateways and both chat containers restarted one after the
 * other (SIGTERM, then start, each back to healthy before the next) while a bot
 * keeps posting to a room through the load balancer and two people watch it in
 * Chromium. Every message the API accepted reaches both pages once and in order,
 * and neither page reloads: they reconnect to the other gateway and catch up.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import type { ComposeProject } from './compose-project.js'
import { run } from './images.js'

interface Scenario {
  readonly browser: Browser
  readonly project: ComposeProject
  readonly home: string
  readonly log: (line: string) => void
}

async function postJson(url: string, body: unknown, token?: string, idempotencyKey?: string): Promise<{ status: number; json: Record<string, unknown> } | undefined> {
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) }
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) }).catch(() => undefined)
  if (!response) return undefined
  const text = await response.text().catch(() => '')
  try {
    return { status: response.status, json: JSON.parse(text) as Record<string, unknown> }
  } catch {
    return { status: response.status, json: { body: text.slice(0, 400) } }
  }
}

/** What a page's live connection said, for the report when a message goes missing. */
function watchLive(page: Page, name: string, note: (line: string) => void): void {
  page.on('websocket', (socket) => {
    note(`${name}: live connection opened`)
    socket.on('framereceived', (frame) => {
      const text = String(frame.payload)
      if (text.includes('"type":"subscribed"') && text.includes('chat:room:')) note(`${name}: ${text.slice(0, 200)}`)
    })
    socket.on('close', () => note(`${name}: live connection closed`))
  })
}

async function openPerson(browser: Browser, home: string, nickname: string, note: (line: string) => void): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  watchLive(page, nickname.split(' ')[0] ?? nickname, note)
  await page.goto(home)
  await page.locator('#chat-nickname').fill(nickname)
  await page.locator('#chat-nickname').press('Enter')
  await page.locator('#chat-room-name, .chat-room-panel').first().waitFor({ timeout: 15_000 })
  return page
}

async function following(page: Page, channel: string): Promise<void> {
  await page.waitForFunction((name) => (window as unknown as { dx?: { subscriptions: Map<string, unknown> } }).dx?.subscriptions.has(name), channel, { timeout: 15_000 })
}

async function texts(page: Page): Promise<string[]> {
  return page.locator('.chat-msg .chat-text').allTextContents()
}

/** Where each missing message is: still in Chat's outbox, on the bus (the room's Redis stream), or neither. */
async function whereAre(project: ComposeProject, slug: string, texts: readonly string[]): Promise<Map<string, string>> {
  const [postgres] = await project.containers('postgres')
  const [redis] = await project.containers('redis')
  const outbox = postgres ? await project.exec(postgres.name, ['sh', '-c', 'PGPASSWORD="$(cat /run/secrets/postgres_password)" psql -h 127.0.0.1 -U distributex -d distributex -At -c "select seq, data from chat.dx_outbox"']).catch((e: Error) => e.message) : ''
  const stream = redis ? await project.exec(redis.name, ['redis-cli', 'XRANGE', `dx:s:live.chat:room:${slug}`, '-', '+']).catch((e: Error) => e.message) : ''
  const lease = postgres ? await project.exec(postgres.name, ['sh', '-c', 'PGPASSWORD="$(cat /run/secrets/postgres_password)" psql -h 127.0.0.1 -U distributex -d distributex -At -c "select holder, until from chat.dx_outbox_lease"']).catch((e: Error) => e.message) : ''
  const places = new Map<string, string>()
  // The text is HTML-escaped in the envelope ('#' is not), so the plain text is found as it is.
  for (const text of texts) places.set(text, `${outbox.includes(`${text}<`) ? 'still in dx_outbox' : 'not in dx_outbox'}, ${stream.includes(`${text}<`) ? 'on the bus' : 'not on the bus'}`)
  places.set('(outbox rows left)', String(outbox.split('\n').filter(Boolean).length))
  places.set('(relay lease)', lease.trim())
  return places
}

export async function rollingRestartScenario({ browser, project, home, log }: Scenario): Promise<void> {
  const id = randomBytes(3).toString('hex')
  const slug = `rolling-${id}`
  const t0 = Date.now()
  const at = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`
  const timeline: string[] = []
  const note = (line: string) => timeline.push(`${at()} ${line}`)
  const ada = await openPerson(browser, home, `Ada ${id}`, note)
  const bob = await openPerson(browser, home, `Bob ${id}`, note)
  await following(bob, 'chat:rooms')
  await ada.locator('#chat-room-name').fill(`Rolling ${id}`)
  await ada.locator('#chat-room-name').press('Enter')
  await following(ada, `chat:room:${slug}`)
  await bob.locator(`#chat-room-${slug} button`).click({ timeout: 10_000 })
  await following(bob, `chat:room:${slug}`)
  for (const page of [ada, bob]) await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1))

  const api = new URL('chat/api/', home).href
  const registered = await postJson(`${api}sessions`, { nickname: `Bot ${id}` })
  assert.equal(registered?.status, 201, `the bot registers through the load balancer: ${JSON.stringify(registered)}`)
  const token = String(registered?.json.token)
  assert.equal((await postJson(`${api}rooms/${slug}/join`, {}, token))?.status, 200)

  // The bot posts every 600 ms (within Chat's 10 messages per 5 s a person may send) until the restarts are over; what the API accepted must be delivered.
  const accepted: string[] = []
  const acceptedAt = new Map<string, string>()
  // Why each refused send was refused (status, or "no answer"), for the log.
  const refusals = new Map<string, number>()
  let refused = 0
  let sending = true
  const sender = (async () => {
    for (let i = 1; sending; i++) {
      const text = `rolling ${id} #${i}`
      // As a careful API client does: the key lets the gateway send it to the other chat process when one stops mid-request.
      const answer = await postJson(`${api}rooms/${slug}/messages`, { text, clientId: `r-${id}-${i}` }, token, `r-${id}-${i}`)
      if (answer && (answer.status === 201 || answer.status === 200)) {
        accepted.push(text)
        acceptedAt.set(text, at())
      } else {
        refused++
        const why = answer ? String(answer.status) : 'no answer'
        refusals.set(why, (refusals.get(why) ?? 0) + 1)
      }
      await new Promise((resolve) => setTimeout(resolve, 600))
    }
  })()

  const order = [...(await project.containers('gateway-1')), ...(await project.containers('gateway-2')), ...(await project.containers('chat-1')), ...(await project.containers('chat-2'))]
  assert.equal(order.length, 4, `two gateways and two chat containers (${order.map((c) => c.name).join(', ')})`)
  for (const container of order) {
    const started = Date.now()
    note(`restarting ${container.service} (SIGTERM)`)
    await run('docker', ['restart', '-t', '15', container.name])
    note(`${container.service} started again`)
    await project.waitHealthy(90_000)
    note(`${container.service} healthy`)
    log(`rolling restart: ${container.name} back and healthy after ${((Date.now() - started) / 1000).toFixed(1)} s (${accepted.length} accepted so far)`)
  }
  await new Promise((resolve) => setTimeout(resolve, 1000))
  sending = false
  await sender
  log(`rolling restart: ${accepted.length} messages accepted, ${refused} refused while restarting${refused ? ` (${[...refusals].map(([why, n]) => `${n} × ${why}`).join(', ')})` : ''}`)
  assert.ok(accepted.length >= 20, `the deployment kept accepting messages during the restart (${accepted.length})`)

  for (const [name, page] of [['Ada', ada], ['Bob', bob]] as const) {
    const deadline = Date.now() + 30_000
    let shown = await texts(page)
    while (!accepted.every((text) => shown.includes(text)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      shown = await texts(page)
    }
    const missing = accepted.filter((text) => !shown.includes(text))
    if (missing.length) {
      // The report a lost message needs: when it was accepted against the restarts, where it is now, what the pages' live connections did.
      const places = await whereAre(project, slug, missing)
      log(`rolling restart: ${name}'s page misses ${missing.length} of ${accepted.length} accepted messages`)
      for (const text of missing) log(`  missing "${text}": accepted at ${acceptedAt.get(text)}; ${places.get(text)}`)
      log(`  outbox rows left: ${places.get('(outbox rows left)')}; relay lease: ${places.get('(relay lease)')}`)
      for (const line of timeline) log(`  ${line}`)
    }
    assert.deepEqual(missing, [], `${name}'s page shows every accepted message`)
    const ours = shown.filter((text) => text.startsWith(`rolling ${id} #`))
    const acceptedSet = new Set(accepted)
    assert.deepEqual(ours.filter((text) => acceptedSet.has(text)), accepted, `${name}'s page shows each accepted message once, in the order accepted`)
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 1, `${name}'s page was not reloaded`)
  }
  await ada.context().close()
  await bob.context().close()
}
