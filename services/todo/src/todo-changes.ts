/**
 * @module todo-changes
 * How Todo changes its list: the change and the live updates it causes are
 * written in one transaction (the store's outbox), so every open page hears
 * of every stored change, also when the broker was away at that moment, and
 * a request never waits on the broker.
 */
import type { Outbox, Store } from '@distributex/store'
import type { StreamAction } from '@distributex/sdk'
import { todoCounts, todoFooter } from './todo-view.js'
import type { TodoDatabase, TodoStore } from './todo-store.js'

/** Everyone looking at the list follows this channel. */
export const TODO_CHANNEL = 'todo:list'

/** Runs one change of the list in a transaction; `todos` queries inside it. */
export type TodoChange = <T>(work: (todos: TodoStore, outbox: Outbox) => Promise<T>) => Promise<T>

export function todoChanges(store: Store<TodoDatabase>, todos: TodoStore): TodoChange {
  return (work) => store.transaction((trx, outbox) => work(todos.withDb(trx), outbox))
}

/** Tells every open page what changed: the items touched, then the counts, as of this transaction. */
export async function announce(todos: TodoStore, outbox: Outbox, changes: StreamAction[]): Promise<void> {
  const list = await todos.list()
  outbox.live(TODO_CHANNEL, [...changes, { action: 'replace', target: 'todo-counts', html: todoCounts(list).value }, { action: 'replace', target: 'todo-footer', html: todoFooter(list).value }])
}
