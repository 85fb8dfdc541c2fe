/**
 * @module @distributex/todo
 * The Todo service: a shared todo list, composed into the main app as the
 * `list` widget or opened on its own at `/todo`.
 */
import { fileURLToPath } from 'node:url'
import { defineService } from '@distributex/sdk'
import { openStore } from '@distributex/store'
import { migrations } from './migrations.js'
import { TodoStore, type TodoDatabase } from './todo-store.js'
import { todoRoutes } from './todo-routes.js'
import { todoChanges } from './todo-changes.js'
import { consumeTodoRequests } from './todo-requests.js'

export const todoService = defineService({
  name: 'todo',
  version: '0.1.0',
  title: 'Todo',
  assetsDir: fileURLToPath(new URL('../assets', import.meta.url)),
  routes: ['GET /todo', 'POST /todo/items', 'POST /todo/items/:id', 'POST /todo/items/:id/toggle', 'POST /todo/items/:id/delete', 'POST /todo/clear-completed'],
  widgets: [{ name: 'list', title: 'Todo', path: '/todo', description: 'The shared todo list', assets: { css: ['/todo/assets/todo.css'], js: [] } }],
  async setup(app, context) {
    const store = await openStore<TodoDatabase>({ service: 'todo', migrations, databaseUrl: context.databaseUrl, dataDir: context.dataDir })
    context.log.info({ store: store.location }, 'todo store ready')
    const todos = new TodoStore(store.db)
    const change = todoChanges(store, todos)
    // Live updates are written with each change and published from the outbox (docs/architecture.md, outbox).
    context.relayOutbox(store)
    todoRoutes(app, { store: todos, change, live: context.live })
    // Other services (e.g. Tech News's "Save to todo") ask for todos over the bus.
    const requests = context.bus ? await consumeTodoRequests({ bus: context.bus, change, log: context.log }) : undefined
    return async () => {
      await requests?.stop()
      await store.close()
    }
  },
})

export default todoService
export { TodoStore, type Todo, type TodoDatabase } from './todo-store.js'
export { migrations } from './migrations.js'
export { parseTitle, TITLE_MAX } from './todo-title.js'
export { TODO_REQUESTED, TodoRequestedSchema } from './todo-requests.js'
export { TODO_CHANNEL } from './todo-changes.js'
