/**
 * @module todo-view
 * The Todo widget's HTML. Works as plain forms (each posts and is redirected
 * back) and, with htmx, as in-place updates morphed into the page so focus and
 * typing survive. Every piece of user text goes through `html`, which escapes it.
 */
import { html, type SafeHtml } from '@distributex/ui'
import { TodoStore, type Todo } from './todo-store.js'

export interface TodoViewState {
  todos: readonly Todo[]
  /** Attributes that subscribe the widget to live updates (from `context.live.attributes`). */
  live?: SafeHtml | undefined
  /** A problem to show: on the add form, or on one todo's edit form. */
  error?: { message: string; value: string; todoId?: string } | undefined
  /** A short note, e.g. "That todo was already removed." */
  notice?: string | undefined
  /**
   * A fresh key for the add form, sent as its Idempotency-Key (and a hidden field for browsers without
   * JavaScript): a post repeated by the gateway or the browser adds the todo once.
   */
  formKey?: string | undefined
}

const MOUNT = '/todo'

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`
}

function action(path: string): SafeHtml {
  return html`method="post" action="${MOUNT}${path}" hx-post="${MOUNT}${path}"`
}

/** One todo; its id is the target of live updates. */
export function todoItem(todo: Todo, error?: TodoViewState['error']): SafeHtml {
  const editing = error?.todoId === todo.id
  const editValue = editing ? error.value : todo.title
  return html`<li id="todo-${todo.id}" class="todo-item flex items-start gap-3 py-2" data-done="${todo.done ? 'true' : 'false'}">
  <form ${action(`/items/${todo.id}/toggle`)} class="pt-1">
    <button type="submit" role="checkbox" aria-checked="${todo.done ? 'true' : 'false'}" aria-label="Done: ${todo.title}" class="grid h-5 w-5 place-items-center rounded border ${todo.done ? 'border-indigo-600 bg-indigo-600 text-white' : 'border-slate-300 bg-white hover:border-indigo-500'}">${todo.done ? html`<span aria-hidden="true" class="text-xs">✓</span>` : ''}</button>
  </form>
  <div class="min-w-0 flex-1">
    <p class="todo-title break-words pt-0.5 ${todo.done ? 'text-slate-400 line-through' : ''}">${todo.title}</p>
    <details class="todo-edit mt-1"${editing ? html` open` : ''}>
      <summary class="cursor-pointer text-xs text-slate-500 hover:text-slate-900">Edit</summary>
      <form ${action(`/items/${todo.id}`)} class="mt-2 flex gap-2">
        <label class="sr-only" for="todo-edit-${todo.id}">Edit “${todo.title}”</label>
        <input id="todo-edit-${todo.id}" name="title" value="${editValue}" class="dx-input" autocomplete="off"${editing ? html` aria-invalid="true" aria-describedby="todo-edit-error-${todo.id}"` : ''}>
        <button type="submit" class="dx-btn-primary">Save</button>
      </form>
      ${editing ? html`<p id="todo-edit-error-${todo.id}" role="alert" class="mt-1 text-sm text-rose-600">${error.message}</p>` : ''}
    </details>
  </div>
  <form ${action(`/items/${todo.id}/delete`)}>
    <button type="submit" class="dx-btn-quiet text-slate-400 hover:text-rose-600" aria-label="Remove “${todo.title}”" title="Remove">✕</button>
  </form>
</li>`
}

/** "2 to do · 1 done", replaced live when anything changes. */
export function todoCounts(todos: readonly Todo[]): SafeHtml {
  const counts = TodoStore.counts(todos)
  return html`<p id="todo-counts" class="text-sm text-slate-500" aria-live="polite">${counts.active} to do · ${counts.done} done</p>`
}

/** The footer: how many items, and "Clear completed" when some are done. */
export function todoFooter(todos: readonly Todo[]): SafeHtml {
  const counts = TodoStore.counts(todos)
  return html`<div id="todo-footer" class="mt-4 flex items-center justify-between text-sm text-slate-500">
    <span>${plural(counts.total, 'item', 'items')}</span>
    ${counts.done > 0 ? html`<form ${action('/clear-completed')}><button type="submit" class="dx-btn-quiet">Clear completed (${counts.done})</button></form>` : ''}
  </div>`
}

/** The whole widget; htmx swaps it by morphing, so only what changed moves. */
export function todoWidget({ todos, error, notice, live, formKey }: TodoViewState): SafeHtml {
  const addError = error && !error.todoId ? error : undefined
  // The list is always there (empty when there is nothing), so live appends have a target;
  // the empty-state line is hidden by CSS while the list has items.
  return html`<div id="todo-app" class="dx-card todo-app" hx-target="#todo-app" hx-swap="morph"${live ?? ''}>
  <div class="flex items-baseline justify-between gap-4">
    <h2 class="text-lg font-semibold tracking-tight">Todo</h2>
    ${todoCounts(todos)}
  </div>
  <form ${action('/items')} class="mt-4 flex gap-2" hx-disabled-elt="find button"${formKey ? html` hx-headers="${JSON.stringify({ 'Idempotency-Key': formKey })}"` : ''}>
    ${formKey ? html`<input type="hidden" name="key" value="${formKey}">` : ''}
    <label for="todo-new" class="sr-only">New todo</label>
    <input id="todo-new" name="title" value="${addError?.value ?? ''}" placeholder="What needs doing?" class="dx-input" autocomplete="off"${addError ? html` aria-invalid="true" aria-describedby="todo-error"` : ''}>
    <button type="submit" class="dx-btn-primary">Add</button>
  </form>
  ${addError ? html`<p id="todo-error" role="alert" class="mt-2 text-sm text-rose-600">${addError.message}</p>` : ''}
  ${notice ? html`<p role="status" class="mt-2 text-sm text-amber-700">${notice}</p>` : ''}
  <ul id="todo-items" class="mt-4 divide-y divide-slate-100" aria-label="Todos">${todos.map((todo) => todoItem(todo, error))}</ul>
  <p class="todo-empty mt-6 rounded-lg border border-dashed border-slate-300 p-6 text-center text-sm text-slate-500">Nothing to do yet. Add your first todo above.</p>
  ${todoFooter(todos)}
</div>`
}
