import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { checkChannelToken, liveTopic } from '@distributex/protocol'
import { sessionCookieFor } from '@distributex/gateway'
import { POLLS_SECRET, pythonSkip, startPollsApp, type PollsApp } from './support/polls-app.js'
import { useApp } from './support/app.js'

const skip = pythonSkip()

interface Answer {
  status: number
  body: string
  headers: Headers
}

/** A person with their own gateway session, talking to Polls through the gateway. */
function person(app: PollsApp) {
  const sid = randomBytes(16).toString('base64url')
  const request = async (path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Answer> => {
    const response = await fetch(`${app.gateway.url}${path}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: { cookie: sessionCookieFor(POLLS_SECRET, sid), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' } : {}), ...init.headers },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    })
    return { status: response.status, body: await response.text(), headers: response.headers }
  }
  return {
    sid,
    request,
    create: (question: string, options: string[], headers: Record<string, string> = {}) => request('/polls/polls', { form: { question, options: options.join('\n') }, headers }),
    vote: (pollId: string, optionId: string) => request(`/polls/polls/${pollId}/vote`, { form: { option: optionId } }),
  }
}

/** The newest poll's id and its options' ids, by label, from a rendered widget. */
function newestPoll(widget: string): { id: string; options: Record<string, string> } {
  // The newest poll comes first; its card runs until the next poll's.
  const card = widget.split('<li id="poll-')[1] ?? ''
  const id = /^(\d+)"/.exec(card)?.[1]
  assert.ok(id, 'a poll is shown')
  const options = Object.fromEntries([...card.matchAll(/name="option" value="(\d+)"[^>]*>([^<]*)</g)].map((m) => [m[2] ?? '', m[1] ?? '']))
  return { id, options }
}

function votesOf(widget: string, pollId: string): number[] {
  const results = new RegExp(`<div id="poll-${pollId}-results"[\\s\\S]*?</li></ul>`).exec(widget)?.[0] ?? ''
  return [...results.matchAll(/data-votes="(\d+)"/g)].map((m) => Number(m[1]))
}

describe('the Python Polls service, through the gateway', { skip }, () => {
  const app = useApp(() => startPollsApp())

  test('polls - the gateway composes the widget, which grants this session the live channel', async () => {
    const alice = person(app)
    const page = await alice.request('/')
    assert.equal(page.status, 200)
    assert.match(page.body, /<section slot="polls\.poll"[^>]*><div id="polls-app"/)
    const token = /data-dx-live="polls:polls" data-dx-token="([^"]+)" data-dx-after="([^"]*)"/.exec(page.body)
    assert.ok(token?.[1], 'the widget carries a channel grant')
    assert.equal(checkChannelToken(POLLS_SECRET, token[1], 'polls:polls', alice.sid), undefined, 'signed exactly as packages/protocol does, for this session')
    assert.notEqual(checkChannelToken(POLLS_SECRET, token[1], 'polls:polls', person(app).sid), undefined, 'useless in another session')
    assert.match(token[2] ?? '', /^(:0|[^:]+:\d+)$/)
  })

  test('polls - a bad poll is refused with 422 and a message that says what to fix; nothing is created', async () => {
    const alice = person(app)
    const cases: Array<[string, string[], RegExp]> = [
      ['   ', ['a', 'b'], /Write a question first/],
      ['q'.repeat(201), ['a', 'b'], /That question is 201 characters long; the limit is 200\. Shorten it by 1\./],
      ['Lunch?', ['only one'], /Give at least 2 options, one per line \(you gave 1\)/],
      ['Lunch?', Array.from({ length: 11 }, (_, i) => `o${i}`), /A poll has at most 10 options; you gave 11\. Remove 1\./],
      ['Lunch?', ['fine', 'x'.repeat(101)], /Option 2 is 101 characters long; the limit is 100/],
      ['Lunch?', ['Pizza', 'pizza'], /Two options are the same/],
    ]
    const before = (await alice.request('/polls', { headers: { 'hx-request': 'true' } })).body.match(/<li id="poll-/g)?.length ?? 0
    for (const [question, options, message] of cases) {
      const answer = await alice.create(question, options)
      assert.equal(answer.status, 422, `${question.slice(0, 20)} / ${options.length} options`)
      assert.match(answer.body, new RegExp(`role="alert"[^>]*>${message.source}`))
    }
    const kept = await alice.create('q'.repeat(201), ['typed <b>', 'kept'])
    assert.match(kept.body, /<details id="poll-create" class="mt-4" open>/, 'the form stays open')
    assert.match(kept.body, /typed &lt;b&gt;\nkept<\/textarea>/, 'with what was typed, escaped')
    const after = (await alice.request('/polls', { headers: { 'hx-request': 'true' } })).body.match(/<li id="poll-/g)?.length ?? 0
    assert.equal(after, before)
    const longest = await alice.create('é'.repeat(200), Array.from({ length: 10 }, (_, i) => `${i}`.repeat(100)))
    assert.equal(longest.status, 200, '200 characters and 10 options of 100 are fine, counted as a person counts them')
  })

  test('polls - one vote per person: a second vote is refused with a clear message, and racing votes count once', async () => {
    const [alice, bob, carol] = [person(app), person(app), person(app)]
    const poll = newestPoll((await alice.create('Tabs or spaces?', ['Tabs', 'Spaces'])).body)
    const first = await alice.vote(poll.id, poll.options.Tabs ?? '')
    assert.equal(first.status, 200)
    assert.match(first.body, /You voted for <strong[^>]*>Tabs<\/strong>/)
    const again = await alice.vote(poll.id, poll.options.Spaces ?? '')
    assert.equal(again.status, 422)
    assert.match(again.body, /You already voted for “Tabs” in this poll; each person votes once\./)
    assert.equal((await bob.vote(poll.id, poll.options.Spaces ?? '')).status, 200)
    const racing = await Promise.all(Array.from({ length: 5 }, () => carol.vote(poll.id, poll.options.Spaces ?? '')))
    assert.deepEqual(racing.map((answer) => answer.status).sort(), [200, 422, 422, 422, 422])
    assert.deepEqual(votesOf((await bob.request('/polls', { headers: { 'hx-request': 'true' } })).body, poll.id), [1, 2])
    const foreign = await bob.vote(poll.id, '999999')
    assert.equal(foreign.status, 422)
    assert.match(foreign.body, /That poll or option no longer exists/)
  })

  test('polls - creating and voting publish stream actions on the polls channel, through the gateway’s publish endpoint', async () => {
    const alice = person(app)
    const topic = liveTopic('polls:polls')
    const { head } = await app.bus.read(topic, { limit: 1 })
    const poll = newestPoll((await alice.create('Live <question>', ['<yes>', 'no'])).body)
    await alice.vote(poll.id, poll.options['&lt;yes&gt;'] ?? '')
    const { messages } = await app.bus.read<{ actions: Array<{ action: string; target: string; html?: string }> }>(topic, head ? { after: head } : {})
    const actions = messages.map((message) => message.envelope.data.actions.map((a) => `${a.action} ${a.target}`).join(', '))
    assert.deepEqual(actions, ['prepend poll-list, remove poll-empty', `morph poll-${poll.id}-results`])
    assert.ok(messages.every((message) => message.envelope.source === 'polls' && message.envelope.type === 'live.update'))
    const html = messages.map((message) => message.envelope.data.actions.map((a) => a.html ?? '').join('')).join('')
    assert.ok(!html.includes('<question>') && !html.includes('<yes>'), 'user text is escaped in live updates too')
    assert.match(html, /Live &lt;question&gt;/)
  })

  test('polls - plain form posts redirect back to the page they came from; cross-site posts and forged identities are refused', async () => {
    const alice = person(app)
    const plain = await alice.create('Without JavaScript?', ['yes', 'no'], { 'hx-request': '', referer: `${app.gateway.url}/?from=home` })
    assert.equal(plain.status, 303)
    assert.equal(plain.headers.get('location'), '/?from=home')
    const crossSite = await alice.create('From elsewhere', ['a', 'b'], { 'sec-fetch-site': 'cross-site', origin: 'https://attacker.example' })
    assert.equal(crossSite.status, 403)
    const forged = await fetch(`${app.pollsUrl}/polls`, { headers: { 'x-dx-identity': 'eyJzdWIiOiJ4In0.Zm9yZ2Vk' } })
    assert.equal(forged.status, 401)
    assert.match(await forged.text(), /identity signature does not match/)
  })

  test('polls - opened on its own URL it is a full page in the shared look, with a way back to the main app', async () => {
    const response = await fetch(`${app.pollsUrl}/polls`)
    const body = await response.text()
    assert.equal(response.status, 200)
    assert.match(body, /^<!doctype html>/)
    assert.match(body, /<title>Polls · distributex<\/title>/)
    assert.ok(body.includes(`<link rel="stylesheet" href="${app.gateway.url}/_dx/ui/app.css">`), 'the gateway’s shared stylesheet')
    assert.ok(body.includes(`<a href="${app.gateway.url}" class="rounded-md`), 'a Home link to the main app')
    assert.match(response.headers.get('set-cookie') ?? '', /^dx_polls_voter=[A-Za-z0-9_-]{24}; Path=\/polls; HttpOnly; SameSite=Lax/, 'a person opening it directly can vote too')
    const css = await fetch(`${app.gateway.url}/_dx/ui/app.css`)
    assert.equal(css.status, 200)
    // The bars' progress-value colour appears only in the Python views: Tailwind scans them too.
    assert.ok((await css.text()).includes('-webkit-progress-value'), 'the classes the Python views use are in the shared stylesheet')
  })
})
