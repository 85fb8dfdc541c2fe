/**
 * @module todo-requests
 * Todos asked for by other services: consumes the bus topic `todo.requested`
 * (consumer group `todo`, so each request is added once however many Todo
 * processes run) and adds the todo exactly as a person's add would: the same
 * title rule, the same live updates on every open page, once per event even
 * when the bus delivers it again. A request that breaks
 * the rules is logged and acknowledged, never redelivered forever.
 */
import { z } from 'zod'
import { ValidationError } from '@distributex/protocol'
import type { ServiceBus, ServiceBusMessage } from '@distributex/sdk'
import { parseTitle } from './todo-title.js'
import { todoItem } from './todo-view.js'
import { announce, type TodoChange } from './todo-changes.js'

export const TODO_REQUESTED = 'todo.requested'

/** Data of `todo.requested`, e.g. `{ "title": "Read: Rust 2.0", "source": "news", "ref": "https://…" }`. */
export const TodoRequestedSchema = z.object({
  title: z.string(),
  source: z.string().min(1).max(64),
  ref: z.string().max(2000).optional(),
})

export interface RequestLog {
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
}

/** Starts consuming; the returned subscription stops it. */
export function consumeTodoRequests({ bus, change, log }: { bus: ServiceBus; change: TodoChange; log: RequestLog }): Promise<{ stop(): Promise<void> }> {
  const handler = async (message: ServiceBusMessage) => {
    const { envelope } = message
    // The topic is named like its one type (docs/protocol.md §12.2): anything else on it is not a request.
    if (envelope.type !== TODO_REQUESTED) {
      log.warn({ event: envelope.id, type: envelope.type, source: envelope.source }, 'an event of another type on todo.requested; ignored')
      return
    }
    const request = TodoRequestedSchema.safeParse(envelope.data)
    if (!request.success) {
      log.warn({ event: envelope.id, source: envelope.source, problems: request.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`) }, 'todo.requested is invalid; ignored')
      return
    }
    let title: string
    try {
      title = parseTitle(request.data.title)
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      log.warn({ event: envelope.id, source: request.data.source, reason: error.message }, 'todo.requested has a title Todo refuses; ignored')
      return
    }
    // Keyed on the event's id: a redelivered request (at-least-once) adds nothing twice. The todo and
    // its live updates commit together, so a redelivery has nothing left to publish.
    const { todo, added } = await change(async (todos, outbox) => {
      const outcome = await todos.addOnce(envelope.id, title)
      if (outcome.added && outcome.todo) await announce(todos, outbox, [{ action: 'append', target: 'todo-items', html: todoItem(outcome.todo).value }])
      return outcome
    })
    if (!todo) {
      log.info({ event: envelope.id, source: request.data.source }, 'todo.requested delivered again after its todo was removed; nothing to do')
      return
    }
    if (!added) {
      log.info({ event: envelope.id, todo: todo.id }, 'todo.requested delivered again; the todo was already added')
      return
    }
    log.info({ event: envelope.id, source: request.data.source, ref: request.data.ref, todo: todo.id }, 'todo added on request')
  }
  return bus.consume(TODO_REQUESTED, { group: 'todo', handler })
}
