/**
 * @module todo-routes
 * Todo's HTTP routes. Each form post answers htmx with the re-rendered widget
 * and a plain browser with a redirect back; bad input gets 422 and the form
 * again with the message and what was typed.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, Live, StreamAction } from '@distributex/sdk'
import { ValidationError } from '@distributex/protocol'
import { todoItem, todoWidget, type TodoViewState } from './todo-view.js'
import type { Todo, TodoStore } from './todo-store.js'
import { parseTitle } from './todo-title.js'
import { announce, TODO_CHANNEL, type TodoChange } from './todo-changes.js'

const GONE = 'That todo no longer exists: someone may have removed it.'

export { TODO_CHANNEL }

const KEY = /^[A-Za-z0-9_-]{1,64}$/

/** The add form's key: its `Idempotency-Key` header, else its hidden `key` field; ignored unless 1 to 64 of A-Z a-z 0-9 _ -. */
function requestKey(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key']
  const given = typeof header === 'string' ? header.replace(/^"(.*)"$/, '$1') : (request.body as Record<string, unknown> | undefined)?.key
  return typeof given === 'string' && KEY.test(given) ? given : undefined
}

/** Registers the routes; every change goes through `change` (one transaction with its live updates). */
export function todoRoutes(app: FastifyInstance, { store, change, live }: { store: TodoStore; change: TodoChange; live: Live }): void {
  const render = async (request: FastifyRequest, state: Omit<TodoViewState, 'todos' | 'live'> = {}) => {
    // The grant and position first, the data second: nothing can fall between them.
    const attributes = await live.attributes(request, TODO_CHANNEL)
    return todoWidget({ ...state, live: attributes, todos: await store.list(), formKey: randomUUID() })
  }

  const itemChanged = (todo: Todo): StreamAction => ({ action: 'morph', target: `todo-${todo.id}`, html: todoItem(todo).value })
  const itemRemoved = (id: string): StreamAction => ({ action: 'remove', target: `todo-${id}` })

  /** Answers a successful (or harmless) action. */
  const done = async (request: FastifyRequest, reply: FastifyReply, notice?: string) => {
    const body = await render(request, { notice })
    return reply.afterAction(() => body, { widget: 'list' })
  }

  /** Answers bad input: the form again, with the message and what was typed. */
  const invalid = async (request: FastifyRequest, reply: FastifyReply, error: ValidationError, value: unknown, todoId?: string) => {
    const body = await render(request, { error: { message: error.message, value: typeof value === 'string' ? value : '', todoId } })
    return reply.page(body, { widget: 'list', status: 422 })
  }

  app.get('/todo', async (request, reply) => reply.page(await render(request), { widget: 'list' }))

  app.post('/todo/items', async (request, reply) => {
    const value = (request.body as Record<string, unknown> | undefined)?.title
    let title: string
    try {
      title = parseTitle(value)
    } catch (error) {
      if (error instanceof ValidationError) return invalid(request, reply, error, value)
      throw error
    }
    // The same key is the same request (a retry after a connection died): the todo is added once.
    const key = requestKey(request)
    await change(async (todos, outbox) => {
      const { todo, added } = key ? await todos.addOnce(`key:${key}`, title) : { todo: await todos.add(title), added: true }
      if (added && todo) await announce(todos, outbox, [{ action: 'append', target: 'todo-items', html: todoItem(todo).value }])
    })
    return done(request, reply)
  })

  app.post('/todo/items/:id', async (request, reply) => {
    const { id } = request.params as { id: string }
    const value = (request.body as Record<string, unknown> | undefined)?.title
    let title: string
    try {
      title = parseTitle(value)
    } catch (error) {
      if (error instanceof ValidationError) return invalid(request, reply, error, value, id)
      throw error
    }
    const renamed = await change(async (todos, outbox) => {
      const todo = (await todos.rename(id, title)) ? await todos.get(id) : undefined
      if (todo) await announce(todos, outbox, [itemChanged(todo)])
      return todo
    })
    return done(request, reply, renamed ? undefined : GONE)
  })

  app.post('/todo/items/:id/toggle', async (request, reply) => {
    const { id } = request.params as { id: string }
    const toggled = await change(async (todos, outbox) => {
      const todo = await todos.toggle(id)
      if (todo) await announce(todos, outbox, [itemChanged(todo)])
      return todo
    })
    return done(request, reply, toggled ? undefined : GONE)
  })

  app.post('/todo/items/:id/delete', async (request, reply) => {
    const { id } = request.params as { id: string }
    await change(async (todos, outbox) => {
      if (await todos.remove(id)) await announce(todos, outbox, [itemRemoved(id)])
    })
    return done(request, reply)
  })

  app.post('/todo/clear-completed', async (request, reply) => {
    await change(async (todos, outbox) => {
      const removed = await todos.clearCompleted()
      if (removed.length) await announce(todos, outbox, removed.map(itemRemoved))
    })
    return done(request, reply)
  })
}
