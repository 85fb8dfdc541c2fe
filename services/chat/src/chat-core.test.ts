import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createBus } from '@distributex/bus'
import { createLive } from '@distributex/sdk'
import { testDialects } from '@distributex/store'
import { ChatCore } from './chat-core.js'
import { RateLimitedError } from './chat-errors.js'
import { ChatStore, type ChatDatabase } from './chat-store.js'
import { migrations } from './migrations.js'


for (const dialect of testDialects()) {
  test(`chat core (${dialect.name}) - a burst of concurrent sends is held to the rate limit`, { skip: dialect.skip }, async (t) => {
    const store = await dialect.open<ChatDatabase>({ service: 'chat', migrations })
    const bus = createBus(undefined)
    t.after(async () => {
      await bus.close()
      await store.close()
    })
    const core = new ChatCore({ store, live: createLive({ bus, secret: 's'.repeat(48), service: 'chat' }), rateLimit: { max: 10, windowMs: 60_000 } })
    await core.setNickname('p_ada', 'Ada')
    await core.setNickname('p_bob', 'Bob')
    await core.createRoom('p_ada', 'Lobby')
    const sends = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => core.post('p_ada', 'lobby', { text: `room ${i}` })),
      ...Array.from({ length: 10 }, (_, i) => core.sendPrivate('p_ada', { to: 'Bob', text: `private ${i}` })),
    ])
    assert.equal(sends.filter((send) => send.status === 'fulfilled').length, 10, 'ten accepted')
    assert.ok(sends.every((send) => send.status === 'fulfilled' || send.reason instanceof RateLimitedError), 'the rest refused as too many')
    assert.equal((await new ChatStore(store.db).sentSince('p_ada', new Date(0))).count, 10, 'and only ten stored')
  })
}
