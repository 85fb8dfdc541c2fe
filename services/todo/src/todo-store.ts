/**
 * @module todo-store
 * Todos in the service's own database, through Kysely (SQLite or PostgreSQL).
 * The same queries run on the database or inside a transaction (`withDb`), so a
 * change and the live updates it causes commit together (see todo-routes).
 */
import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from '@distributex/store'

export interface TodoTable {
  id: string
  title: string
  done: number
  created_at: string
  updated_at: string
}

export interface TodoRequestTable {
  event_id: string
  todo_id: string
  created_at: string
}

export interface TodoDatabase {
  todos: TodoTable
  todo_requests: TodoRequestTable
}

export interface Todo {
  id: string
  title: string
  done: boolean
  createdAt: string
}

export interface TodoCounts {
  active: number
  done: number
  total: number
}

const toTodo = (row: TodoTable): Todo => ({ id: row.id, title: row.title, done: Number(row.done) === 1, createdAt: row.created_at })

export class TodoStore {
  readonly #db: Kysely<TodoDatabase>
  readonly #clock: { last: number }

  constructor(db: Kysely<TodoDatabase>, clock = { last: 0 }) {
    this.#db = db
    this.#clock = clock
  }

  /** The same store on another executor (a transaction), sharing the creation clock. */
  withDb(db: Kysely<TodoDatabase>): TodoStore {
    return new TodoStore(db, this.#clock)
  }

  /** A creation time that never repeats in this process, so the list order is stable. */
  #stamp(): string {
    this.#clock.last = Math.max(Date.now(), this.#clock.last + 1)
    return new Date(this.#clock.last).toISOString()
  }

  async list(): Promise<Todo[]> {
    const rows = await this.#db.selectFrom('todos').selectAll().orderBy('created_at').orderBy('id').execute()
    return rows.map(toTodo)
  }

  async get(id: string): Promise<Todo | undefined> {
    const row = await this.#db.selectFrom('todos').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toTodo(row) : undefined
  }

  static counts(todos: readonly Todo[]): TodoCounts {
    const done = todos.filter((todo) => todo.done).length
    return { active: todos.length - done, done, total: todos.length }
  }

  /** Adds a todo; `title` must already be validated. */
  async add(title: string): Promise<Todo> {
    const now = this.#stamp()
    const row: TodoTable = { id: randomUUID(), title, done: 0, created_at: now, updated_at: now }
    await this.#db.insertInto('todos').values(row).execute()
    return toTodo(row)
  }

  /**
   * Adds a todo for request `eventId` (a bus event's id), once: asked again with
   * the same id (a redelivered event), it adds nothing and answers the todo it
   * added then, or undefined when the person has removed it since.
   */
  async addOnce(eventId: string, title: string): Promise<{ todo: Todo | undefined; added: boolean }> {
    // Inside a caller's transaction (with its outbox), part of it; otherwise in one of its own.
    if (this.#db.isTransaction) return this.#addOnce(this.#db, eventId, title)
    return this.#db.transaction().execute((trx) => this.#addOnce(trx, eventId, title))
  }

  async #addOnce(trx: Kysely<TodoDatabase>, eventId: string, title: string): Promise<{ todo: Todo | undefined; added: boolean }> {
    const now = this.#stamp()
    const row: TodoTable = { id: randomUUID(), title, done: 0, created_at: now, updated_at: now }
    const claimed = await trx
      .insertInto('todo_requests')
      .values({ event_id: eventId, todo_id: row.id, created_at: now })
      .onConflict((conflict) => conflict.column('event_id').doNothing())
      .executeTakeFirst()
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0n) === 0) {
      const earlier = await trx.selectFrom('todo_requests').select('todo_id').where('event_id', '=', eventId).executeTakeFirstOrThrow()
      const existing = await trx.selectFrom('todos').selectAll().where('id', '=', earlier.todo_id).executeTakeFirst()
      return { todo: existing ? toTodo(existing) : undefined, added: false }
    }
    await trx.insertInto('todos').values(row).execute()
    return { todo: toTodo(row), added: true }
  }

  /** Renames a todo; false when it no longer exists. */
  async rename(id: string, title: string): Promise<boolean> {
    const result = await this.#db.updateTable('todos').set({ title, updated_at: new Date().toISOString() }).where('id', '=', id).executeTakeFirst()
    return result.numUpdatedRows > 0n
  }

  /** Flips done/not done; the todo after the change, or undefined when it no longer exists. */
  async toggle(id: string): Promise<Todo | undefined> {
    await this.#db
      .updateTable('todos')
      .set({ done: sql<number>`1 - done`, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute()
    return this.get(id)
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('todos').where('id', '=', id).executeTakeFirst()
    return result.numDeletedRows > 0n
  }

  /** Removes every done todo; returns the ids that went. */
  async clearCompleted(): Promise<string[]> {
    const rows = await this.#db.deleteFrom('todos').where('done', '=', 1).returning('id').execute()
    return rows.map((row) => row.id)
  }
}
