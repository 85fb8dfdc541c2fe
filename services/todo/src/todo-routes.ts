/**
 * @module todo-routes
 * Todo's HTTP routes. Each form post answers htmx with the re-rendered widget
 * and a plain browser with a redirect back; bad input gets 422 and the form
 * again with the message and what was typed.
 */
import type { FastifyInstance, FastifyReply } from '@distributex/sdk'
import { ValidationError } from '@distributex/protocol'
import { todoWidget, type TodoViewState } from './todo-view.js'
import { parseTitle } from './todo-title.js'
import type { TodoStore } from './todo-store.js'

const GONE = 'That todo no longer exists: someone may have removed it.'

export function todoRoutes(app: FastifyInstance, store: TodoStore): void {
  const render = async (state: Omit<TodoViewState, 'todos'> = {}) => todoWidget({ ...state, todos: await store.list() })

  /** Answers a successful (or harmless) action. */
  const done = async (reply: FastifyReply, notice?: string) => {
    const body = await render({ notice })
    return reply.afterAction(() => body, { widget: 'list' })
  }

  /** Answers bad input: the form again, with the message and what was typed. */
  const invalid = async (reply: FastifyReply, error: ValidationError, value: unknown, todoId?: string) => {
    const body = await render({ error: { message: error.message, value: typeof value === 'string' ? value : '', todoId } })
    return reply.page(body, { widget: 'list', status: 422 })
  }

  app.get('/todo', async (_request, reply) => reply.page(await render(), { widget: 'list' }))

  app.post('/todo/items', async (request, reply) => {
    const value = (request.body as Record<string, unknown> | undefined)?.title
    let title: string
    try {
      title = parseTitle(value)
    } catch (error) {
      if (error instanceof ValidationError) return invalid(reply, error, value)
      throw error
    }
    await store.add(title)
    return done(reply)
  })

  app.post('/todo/items/:id', async (request, reply) => {
    const { id } = request.params as { id: string }
    const value = (request.body as Record<string, unknown> | undefined)?.title
    let title: string
    try {
      title = parseTitle(value)
    } catch (error) {
      if (error instanceof ValidationError) return invalid(reply, error, value, id)
      throw error
    }
    return done(reply, (await store.rename(id, title)) ? undefined : GONE)
  })

  app.post('/todo/items/:id/toggle', async (request, reply) => {
    const { id } = request.params as { id: string }
    return done(reply, (await store.toggle(id)) ? undefined : GONE)
  })

  app.post('/todo/items/:id/delete', async (request, reply) => {
    const { id } = request.params as { id: string }
    await store.remove(id)
    return done(reply)
  })

  app.post('/todo/clear-completed', async (_request, reply) => {
    await store.clearCompleted()
    return done(reply)
  })
}
