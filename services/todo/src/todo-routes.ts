/**
 * @module todo-routes
 * Todo's HTTP routes. Each form post answers htmx with the re-rendered widget
 * and a plain browser with a redirect back; bad input gets 422 and the form
 * again with the message and what was typed.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, Live, StreamAction } from '@distributex/sdk'
import { ValidationError } from '@distributex/protocol'
import { todoCounts, todoFooter, todoItem, todoWidget, type TodoViewState } from './todo-view.js'
import type { Todo } from './todo-store.js'
import { parseTitle } from './todo-title.js'
import type { TodoStore } from './todo-store.js'

const GONE = 'That todo no longer exists: someone may have removed it.'

/** Everyone looking at the list follows this channel. */
export const TODO_CHANNEL = 'todo:list'

const KEY = /^[A-Za-z0-9_-]{1,64}$/

/** The add form's key: its `Idempotency-Key` header, else its hidden `key` field; ignored unless 1 to 64 of A-Z a-z 0-9 _ -. */
function requestKey(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key']
  const given = typeof header === 'string' ? header.replace(/^"(.*)"$/, '$1') : (request.body as Record<string, unknown> | undefined)?.key
  return typeof given === 'string' && KEY.test(given) ? given : undefined
}

export function todoRoutes(app: FastifyInstance, store: TodoStore, live: Live): void {
  const render = async (request: FastifyRequest, state: Omit<TodoViewState, 'todos' | 'live'> = {}) => {
    // The grant and position first, the data second: nothing can fall between them.
    const attributes = await live.attributes(request, TODO_CHANNEL)
    return todoWidget({ ...state, live: attributes, todos: await store.list(), formKey: randomUUID() })
  }

  /** Tells every open page what changed: the items touched, then the counts. */
  const broadcast = async (changes: StreamAction[]) => {
    const todos = await store.list()
    await live.publish(TODO_CHANNEL, [
      ...changes,
      { action: 'replace', target: 'todo-counts', html: todoCounts(todos).value },
      { action: 'replace', target: 'todo-footer', html: todoFooter(todos).value },
    ])
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
    const { todo, added } = key ? await store.addOnce(`key:${key}`, title) : { todo: await store.add(title), added: true }
    if (added && todo) await broadcast([{ action: 'append', target: 'todo-items', html: todoItem(todo).value }])
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
    const renamed = (await store.rename(id, title)) ? await store.get(id) : undefined
    if (renamed) await broadcast([itemChanged(renamed)])
    return done(request, reply, renamed ? undefined : GONE)
  })

  app.post('/todo/items/:id/toggle', async (request, reply) => {
    const { id } = request.params as { id: string }
    const toggled = await store.toggle(id)
    if (toggled) await broadcast([itemChanged(toggled)])
    return done(request, reply, toggled ? undefined : GONE)
  })

  app.post('/todo/items/:id/delete', async (request, reply) => {
    const { id } = request.params as { id: string }
    if (await store.remove(id)) await broadcast([itemRemoved(id)])
    return done(request, reply)
  })

  app.post('/todo/clear-completed', async (request, reply) => {
    const removed = await store.clearCompleted()
    if (removed.length) await broadcast(removed.map(itemRemoved))
    return done(request, reply)
  })
}
