import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createBus } from '@distributex/bus'
import { requireEngine } from '@distributex/testkit'
import { LiveClient } from '../test-support/live-client.js'
import { startGateway, startLiveGateway, TEST_SECRET } from '../test-support/start-gateway.js'
import { publishCredential } from '@distributex/protocol'

const adapters = [
  { name: 'memory', skip: false as const, url: () => undefined },
  { name: 'redis', ...requireEngine('REDIS_URL'), url: () => process.env.REDIS_URL },
  { name: 'nats', ...requireEngine('NATS_URL'), url: () => process.env.NATS_URL },
]

const channelName = () => `polls:p-${randomBytes(4).toString('hex')}`
const vote = (i: number) => ({ action: 'morph', target: 'poll-results', html: `<div id="poll-results">${i} votes</div>` })

async function post(url: string, body: unknown, authorization?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/_dx/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  })
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

const bearer = (service: string, secret = TEST_SECRET) => `Bearer ${publishCredential(secret, service)}`

test('publish - refused without credentials, with wrong ones, or to another service’s channel, with a clear JSON error', async (t) => {
  const { gateway } = await startLiveGateway(t)
  const update = { channel: 'polls:results', actions: [vote(1)] }

  const none = await post(gateway.url, update)
  assert.equal(none.status, 401)
  assert.match(String(none.json.error), /no credentials: send "authorization: Bearer <service>\./)

  const forged = await post(gateway.url, update, bearer('polls', 'x'.repeat(48)))
  assert.equal(forged.status, 401)
  assert.match(String(forged.json.error), /do not match for service "polls".*DX_SECRET/)

  const malformed = await post(gateway.url, update, 'Bearer polls')
  assert.equal(malformed.status, 401)
  assert.match(String(malformed.json.error), /malformed credentials/)

  const foreign = await post(gateway.url, { channel: 'todo:list', actions: [vote(1)] }, bearer('polls'))
  assert.equal(foreign.status, 403)
  assert.match(String(foreign.json.error), /only publish to its own channels and topics, not channel "todo:list"/)

  const foreignTopic = await post(gateway.url, { event: { topic: 'todo.requested', type: 'todo.requested', data: { title: 'x' } } }, bearer('polls'))
  assert.equal(foreignTopic.status, 403)

  // A service that happens to be called "live", "presence" or "dx" still cannot write the platform's topics.
  const intoTodo = { channel: 'todo:list', priority: 'content', actions: [{ action: 'remove', target: 'todo-items' }] }
  for (const [service, topic] of [['live', 'live.todo:list'], ['presence', 'presence.todo:list'], ['dx', 'dx.members']] as const) {
    const platform = await post(gateway.url, { event: { topic, type: 'live.update', data: intoTodo } }, bearer(service))
    assert.equal(platform.status, 403, topic)
    assert.match(String(platform.json.error), new RegExp(`topic "${topic.replace('.', '\\.')}" belongs to the platform`))
  }
})

test('publish - invalid stream actions and events are refused with 400 naming the field', async (t) => {
  const { gateway } = await startLiveGateway(t)
  const badAction = await post(gateway.url, { channel: 'polls:results', actions: [{ action: 'explode', target: 'x' }] }, bearer('polls'))
  assert.equal(badAction.status, 400)
  assert.match(String(badAction.json.error), /actions\.0\.action/)
  const noActions = await post(gateway.url, { channel: 'polls:results', actions: [] }, bearer('polls'))
  assert.equal(noActions.status, 400)
  assert.match(String(noActions.json.error), /^invalid publish request: actions: /, 'an empty list is refused, naming the field (protocol §10.2)')
  const badTarget = await post(gateway.url, { channel: 'polls:results', actions: [{ action: 'remove', target: '"><script>' }] }, bearer('polls'))
  assert.equal(badTarget.status, 400)
  assert.match(String(badTarget.json.error), /element id/)
  const badEvent = await post(gateway.url, { event: { topic: 'polls.voted', type: 'Not A Type', data: {} } }, bearer('polls'))
  assert.equal(badEvent.status, 400)
  assert.match(String(badEvent.json.error), /event\.type/)
  const typo = await post(gateway.url, { channel: 'polls:results', action: [vote(1)] }, bearer('polls'))
  assert.equal(typo.status, 400)
  const typoInAction = await post(gateway.url, { channel: 'polls:results', actions: [{ action: 'append', target: 'poll-list', htlm: '<li>x</li>' }] }, bearer('polls'))
  assert.equal(typoInAction.status, 400, 'a misspelt field of an action is refused, not dropped')
  assert.match(String(typoInAction.json.error), /actions\.0: .*"htlm"/)
})

test('publish - a body that cannot be read is refused with what to send, as JSON', async (t) => {
  const { gateway } = await startLiveGateway(t)
  const send = async (body: string, type: string) => {
    const response = await fetch(`${gateway.url}/_dx/publish`, { method: 'POST', headers: { 'content-type': type, authorization: bearer('polls') }, body })
    return { status: response.status, json: (await response.json()) as Record<string, unknown> }
  }
  assert.deepEqual(await send('{"channel":', 'application/json'), {
    status: 400,
    json: { error: 'the body is not valid JSON; send {"channel":"<service>:<name>","actions":[…]} or {"event":{…}}' },
  })
  assert.deepEqual(await send('channel=polls:results', 'application/x-www-form-urlencoded'), { status: 415, json: { error: 'send the body as JSON, with content-type: application/json' } })
  // text/plain is a type Fastify reads by default: still refused as §10.2 says, not answered 400.
  assert.deepEqual(await send('{"channel":"polls:results","actions":[]}', 'text/plain'), { status: 415, json: { error: 'send the body as JSON, with content-type: application/json' } })
  assert.deepEqual(await send('{}', 'application/json; charset=utf-8').then((answer) => answer.status), 400)
  const huge = await send(JSON.stringify({ channel: 'polls:results', actions: Array.from({ length: 5 }, () => ({ action: 'append', target: 'x', html: 'x'.repeat(250_000) })) }), 'application/json')
  assert.equal(huge.status, 413)
  assert.match(String(huge.json.error), /larger than 1 MiB; publish fewer or smaller actions per request/)
})

test('publish - when the bus fails, publishing and reading a position answer 503 to retry', async (t) => {
  const bus = createBus(undefined)
  const gateway = await startGateway({}, [], { bus })
  t.after(() => gateway.stop())
  await bus.close()
  const published = await post(gateway.url, { channel: 'polls:results', actions: [vote(1)] }, bearer('polls'))
  assert.deepEqual(published, { status: 503, json: { error: 'the event bus did not accept the message; retry shortly' } })
  const position = await fetch(`${gateway.url}/_dx/publish/position?channel=polls:results`, { headers: { authorization: bearer('polls') } })
  assert.equal(position.status, 503)
  assert.match(((await position.json()) as { error: string }).error, /the event bus did not answer; retry shortly/)
})

test('publish - a domain event lands on the service’s own topic, with the service as its source', async (t) => {
  const { gateway, bus } = await startLiveGateway(t)
  const topic = `polls.voted-${randomBytes(3).toString('hex')}`
  const answer = await post(gateway.url, { event: { topic, type: 'polls.voted', data: { poll: 1 } } }, bearer('polls'))
  assert.equal(answer.status, 202)
  const { messages } = await bus.read(topic, {})
  assert.equal(messages.length, 1)
  assert.deepEqual({ type: messages[0]?.envelope.type, source: messages[0]?.envelope.source, data: messages[0]?.envelope.data }, { type: 'polls.voted', source: 'polls', data: { poll: 1 } })
})

for (const adapter of adapters) {
  describe(`publish over HTTP (${adapter.name})`, { skip: adapter.skip }, () => {
    test(`publish (${adapter.name}) - stream actions posted to one gateway node reach a client subscribed on another, and positions match`, async (t) => {
      const shared = createBus(adapter.url())
      const other = adapter.name === 'memory' ? shared : createBus(adapter.url())
      const first = await startGateway({}, [], { bus: shared })
      const second = await startGateway({}, [], { bus: other })
      t.after(async () => {
        await first.stop()
        await second.stop()
        if (other !== shared) await other.close()
        await shared.close()
      })
      const channel = channelName()
      const position = await fetch(`${first.url}/_dx/publish/position?channel=${channel}`, { headers: { authorization: bearer('polls') } })
      assert.equal(position.status, 200)
      assert.deepEqual(await position.json(), { channel, position: null, after: ':0' }, 'an empty channel is followed from its start')

      const client = new LiveClient()
      await client.connect(second.url)
      client.subscribe(channel, TEST_SECRET)
      await client.waitFor(() => client.messages.find((m) => m.type === 'subscribed'), 'subscribed')

      const answer = await post(first.url, { channel, actions: [vote(1)] }, bearer('polls'))
      assert.equal(answer.status, 202)
      const update = await client.waitFor(() => client.updates(channel)[0], 'the update on the other node')
      assert.deepEqual(update.actions, [vote(1)])
      assert.deepEqual(update.position, answer.json.position, 'the answer tells where the message is')

      const head = (await (await fetch(`${second.url}/_dx/publish/position?channel=${channel}`, { headers: { authorization: bearer('polls') } })).json()) as { after: string }
      assert.equal(head.after, `${update.position.epoch}:${update.position.offset}`)
      await client.close()
    })
  })
}

test('publish - reading another service’s channel position is refused', async (t) => {
  const { gateway } = await startLiveGateway(t)
  const response = await fetch(`${gateway.url}/_dx/publish/position?channel=todo:list`, { headers: { authorization: bearer('polls') } })
  assert.equal(response.status, 403)
  const anonymous = await fetch(`${gateway.url}/_dx/publish/position?channel=polls:x`)
  assert.equal(anonymous.status, 401)
})

test('publish - a gateway without a bus says live updates are off', async (t) => {
  const gateway = await startGateway({}, [])
  t.after(() => gateway.stop())
  const answer = await post(gateway.url, { channel: 'polls:results', actions: [vote(1)] }, bearer('polls'))
  assert.equal(answer.status, 404)
  assert.match(String(answer.json.error), /no event bus/)
})
