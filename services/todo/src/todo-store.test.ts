import { test } from 'node:test'
import assert from 'node:assert/strict'
import { testDialects } from '@distributex/store'
import { migrations } from './migrations.js'
import { TodoStore, type TodoDatabase } from './todo-store.js'

for (const dialect of testDialects()) {
  test(`todo store (${dialect.name}) - add, rename, toggle, remove and clear completed`, { skip: dialect.skip }, async () => {
    const store = await dialect.open<TodoDatabase>({ service: 'todo', migrations })
    try {
      const todos = new TodoStore(store.db)
      const milk = await todos.add('Buy milk')
      const docs = await todos.add('Write <docs>')
      const call = await todos.add('Call Ada')
      assert.deepEqual((await todos.list()).map((t) => t.title), ['Buy milk', 'Write <docs>', 'Call Ada'], 'kept in the order added')

      assert.equal(await todos.rename(docs.id, 'Write the docs'), true)
      assert.equal((await todos.get(docs.id))?.title, 'Write the docs')
      assert.equal(await todos.rename('missing', 'x'), false)

      assert.equal((await todos.toggle(milk.id))?.done, true)
      assert.equal((await todos.toggle(call.id))?.done, true)
      assert.equal((await todos.toggle(call.id))?.done, false, 'toggling twice undoes')
      assert.equal(await todos.toggle('missing'), undefined)
      assert.deepEqual(TodoStore.counts(await todos.list()), { active: 2, done: 1, total: 3 })

      assert.deepEqual(await todos.clearCompleted(), [milk.id])
      assert.deepEqual((await todos.list()).map((t) => t.title), ['Write the docs', 'Call Ada'])
      assert.equal(await todos.remove(call.id), true)
      assert.equal(await todos.remove(call.id), false)
      assert.deepEqual((await todos.list()).map((t) => t.title), ['Write the docs'])
    } finally {
      await store.close()
    }
  })
}

for (const dialect of testDialects()) {
  test(`todo store (${dialect.name}) - a todo added under a request id is added once, however often the request comes`, { skip: dialect.skip }, async () => {
    const store = await dialect.open<TodoDatabase>({ service: 'todo', migrations })
    try {
      const todos = new TodoStore(store.db)
      const id = '7d2b1c9e-2f4a-4c1e-9a51-0d8f3b6e4a21'
      const first = await todos.addOnce(id, 'Read: a story')
      const again = await todos.addOnce(id, 'Read: a story')
      assert.deepEqual({ added: first.added, title: first.todo?.title }, { added: true, title: 'Read: a story' })
      assert.deepEqual({ added: again.added, id: again.todo?.id }, { added: false, id: first.todo?.id })
      assert.equal((await todos.list()).filter((todo) => todo.title === 'Read: a story').length, 1)
      await todos.remove(first.todo?.id ?? '')
      assert.deepEqual(await todos.addOnce(id, 'Read: a story'), { todo: undefined, added: false }, 'a redelivery after the person removed it does not bring it back')
    } finally {
      await store.close()
    }
  })
}
