import { test } from 'node:test'
import assert from 'node:assert/strict'
import { testDialects } from '@distributex/store'
import { migrations } from './migrations.js'
import { NicknameTakenError, RoomExistsError } from './chat-errors.js'
import { ChatStore, ONLINE_MS, encodeCursor, privateRoom, type ChatDatabase } from './chat-store.js'

for (const dialect of testDialects()) {
  test(`chat store (${dialect.name}) - nicknames are unique among people online`, { skip: dialect.skip }, async () => {
    const store = await dialect.open<ChatDatabase>({ service: 'chat', migrations })
    try {
      const chat = new ChatStore(store.db)
      assert.deepEqual(await chat.setNickname('p_ada', 'Ada'), { previous: null })
      await assert.rejects(chat.setNickname('p_bob', 'ADA'), NicknameTakenError)
      assert.deepEqual(await chat.setNickname('p_ada', 'Ada L.'), { previous: 'Ada' }, 'changing one’s own nickname')
      assert.deepEqual(await chat.setNickname('p_bob', 'Ada'), { previous: null }, 'the old nickname is free again')
      // Someone who left long ago no longer holds their nickname.
      const later = new Date(Date.now() + ONLINE_MS + 1000)
      await chat.touch('p_bob', later)
      assert.deepEqual(await chat.setNickname('p_cat', 'Ada L.', later), { previous: null })
      assert.equal((await chat.findOnline('ada'))?.id, 'p_bob')
      // Ada comes back: Cat took "Ada L." meanwhile, so Ada gives it up rather than two of them going by it.
      const back = new Date(later.getTime() + 1000)
      assert.equal(await chat.touch('p_cat', back), undefined, 'Cat was here all along')
      assert.equal(await chat.touch('p_ada', back), 'Ada L.')
      assert.equal((await chat.person('p_ada')).nickname, null)
      assert.equal((await chat.person('p_cat')).nickname, 'Ada L.')
      assert.equal(await chat.touch('p_ada', back), undefined)

      // Many people pick the same nickname at the same moment (as through several chat processes): one at most gets it.
      const picks = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => new ChatStore(store.db).setNickname(`p_rush${i}`, 'Rush')))
      assert.ok(picks.every((pick) => pick.status === 'fulfilled' || pick.reason instanceof NicknameTakenError))
      const holders = await store.db.selectFrom('people').select('person_id').where('nickname_key', '=', 'rush').execute()
      assert.ok(holders.length <= 1, `${holders.length} people hold the nickname Rush`)
      assert.equal(picks.filter((pick) => pick.status === 'fulfilled').length, holders.length, 'whoever was refused has no nickname left over')
    } finally {
      await store.close()
    }
  })

  test(`chat store (${dialect.name}) - rooms, messages, history pages and retried sends`, { skip: dialect.skip }, async () => {
    const store = await dialect.open<ChatDatabase>({ service: 'chat', migrations })
    try {
      const chat = new ChatStore(store.db)
      await chat.createRoom('Lobby', 'lobby', 'p_ada')
      await assert.rejects(chat.createRoom('LOBBY', 'lobby', 'p_bob'), RoomExistsError)
      await chat.createRoom('Rust & Go', 'rust-go', 'p_bob')
      assert.deepEqual((await chat.rooms()).map((r) => [r.slug, r.members]), [['lobby', 0], ['rust-go', 0]])

      for (let i = 1; i <= 120; i++) await chat.addMessage({ room: 'lobby', kind: 'text', authorId: 'p_ada', authorName: 'Ada', body: `m${i}` })
      const first = await chat.history('lobby')
      assert.equal(first.messages.length, 50)
      assert.equal(first.messages.at(-1)?.body, 'm120')
      assert.equal(first.hasOlder, true)
      const second = await chat.history('lobby', { before: encodeCursor(first.messages[0]!) })
      assert.deepEqual([second.messages[0]?.body, second.messages.at(-1)?.body], ['m21', 'm70'])
      const third = await chat.history('lobby', { before: encodeCursor(second.messages[0]!) })
      assert.deepEqual([third.messages.length, third.hasOlder], [20, false])
      assert.deepEqual((await chat.after('lobby', encodeCursor(first.messages.at(-3)!), 100, 0)).map((m) => m.body), ['m119', 'm120'])
      assert.deepEqual(await chat.after('lobby', encodeCursor(first.messages.at(-3)!)), [], 'a poller is handed only settled messages, so none stored a moment later is skipped')

      const once = await chat.addMessage({ room: 'lobby', kind: 'text', authorId: 'p_bob', authorName: 'Bob', body: 'hi', clientId: 'c-1' })
      const again = await chat.addMessage({ room: 'lobby', kind: 'text', authorId: 'p_bob', authorName: 'Bob', body: 'hi', clientId: 'c-1' })
      assert.equal(again.duplicate, true)
      assert.equal(again.message.id, once.message.id)
      assert.equal((await chat.history('lobby', { limit: 200 })).messages.length, 121, 'stored once')

      assert.equal(await chat.editMessage(once.message.id, 'p_ada', 'not mine'), 'not-yours')
      const edited = await chat.editMessage(once.message.id, 'p_bob', 'hello')
      assert.ok(typeof edited === 'object' && edited.body === 'hello' && edited.editedAt)
      assert.equal(await chat.deleteMessage(once.message.id, 'p_ada'), 'not-yours')
      assert.equal(typeof (await chat.deleteMessage(once.message.id, 'p_bob')), 'object')
      assert.equal(await chat.deleteMessage(once.message.id, 'p_bob'), 'missing')

      const sent = await chat.sentSince('p_ada', new Date(Date.now() - 60_000))
      assert.equal(sent.count, 120)

      const dm = privateRoom('p_bob', 'p_ada')
      assert.equal(dm, privateRoom('p_ada', 'p_bob'))
      await chat.addMessage({ room: dm, kind: 'text', authorId: 'p_ada', authorName: 'Ada', recipient: { id: 'p_bob', name: 'Bob' }, body: 'psst' })
      assert.deepEqual((await chat.privateMessages('p_bob')).map((m) => m.body), ['psst'])
      assert.deepEqual(await chat.privateMessages('p_cat'), [])
    } finally {
      await store.close()
    }
  })

  test(`chat store (${dialect.name}) - membership flips once, whoever asks`, { skip: dialect.skip }, async () => {
    const store = await dialect.open<ChatDatabase>({ service: 'chat', migrations })
    try {
      const chat = new ChatStore(store.db)
      await chat.createRoom('Lobby', 'lobby', 'p_ada')
      await chat.setNickname('p_ada', 'Ada')
      const joins = await Promise.all([chat.markPresent('lobby', 'p_ada', true), chat.markPresent('lobby', 'p_ada', true), chat.markPresent('lobby', 'p_ada', true)])
      assert.deepEqual(joins.filter(Boolean).length, 1, 'one join line')
      assert.deepEqual(await chat.members('lobby'), [{ id: 'p_ada', nickname: 'Ada' }])
      assert.equal((await chat.room('lobby'))?.members, 1)
      assert.deepEqual(await chat.roomsOf('p_ada'), ['lobby'])
      await assert.rejects(chat.setNickname('p_bob', 'ada', new Date(Date.now() + 10 * ONLINE_MS)), NicknameTakenError, 'someone in a room is online')
      assert.equal(await chat.markPresent('lobby', 'p_ada', false), true)
      assert.equal(await chat.markPresent('lobby', 'p_ada', false), false)
      assert.equal((await chat.room('lobby'))?.members, 0)
    } finally {
      await store.close()
    }
  })
}
