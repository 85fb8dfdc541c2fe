/**
 * Widget events: how widgets of different services talk to each other in the
 * browser, without knowing each other's code.
 *
 * - An event is a `CustomEvent` named `dx:<service>:<what>` (e.g. `dx:chat:room`)
 *   dispatched on `document`, its data in `detail`. Raise one with
 *   `dx.events.emit(name, detail)`; listen with `dx.events.on(name, handler)`,
 *   or declaratively with htmx: `hx-trigger="dx:chat:room from:document"`.
 *   A service can raise one from a response with htmx's `HX-Trigger` header.
 * - A widget announces a piece of state others may need at the moment they
 *   need it as a `data-dx-<key>` attribute on its root (e.g. `data-dx-chat-room`);
 *   `dx.events.current(key)` reads it.
 * - A form marked `data-dx-with="<field>:<key>[,…]"` gets a hidden field
 *   `<field>` set to `current(key)` when it is submitted, with or without htmx
 *   (e.g. Tech News's "Share to chat" posts the open chat room).
 */

/** Event names are namespaced by the service that raises them. */
const NAME = /^dx:[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/

function checkName(name: string): void {
  // A TypeError, as the browser's own APIs throw for a bad argument: this file runs in the page, without the Node packages.
  if (!NAME.test(name)) throw new TypeError(`widget event "${name}" must be named dx:<service>:<what>, e.g. dx:chat:room`)
}

/** Raises a widget event on `document` (bubbling from `from` when given); false when a listener cancelled it. */
export function emit(name: string, detail?: unknown, from?: Element): boolean {
  checkName(name)
  const event = new CustomEvent(name, { detail, bubbles: true, cancelable: true })
  return (from?.isConnected ? from : document).dispatchEvent(event)
}

/** Calls `handler` with each event's detail; returns a function that stops listening. */
export function on<T = unknown>(name: string, handler: (detail: T, event: CustomEvent<T>) => void): () => void {
  checkName(name)
  const listener = (event: Event) => handler((event as CustomEvent<T>).detail, event as CustomEvent<T>)
  document.addEventListener(name, listener)
  return () => document.removeEventListener(name, listener)
}

/** The value a widget announces as `data-dx-<key>` (first element carrying it), or '' when none does. */
export function current(key: string): string {
  const attribute = `data-dx-${key}`
  return document.querySelector(`[${CSS.escape(attribute)}]`)?.getAttribute(attribute) ?? ''
}

/** Sets the hidden fields a `data-dx-with` form asks for, from what the page announces now. */
function fillFromPage(form: HTMLFormElement): void {
  for (const pair of (form.dataset.dxWith ?? '').split(',')) {
    const [field, key] = pair.split(':').map((part) => part.trim())
    if (!field || !key) continue
    let input = [...form.querySelectorAll<HTMLInputElement>('input[type="hidden"]')].find((el) => el.name === field)
    if (!input) {
      input = document.createElement('input')
      input.type = 'hidden'
      input.name = field
      form.append(input)
    }
    input.value = current(key)
  }
}

/** Installs the `data-dx-with` behaviour; the capture phase runs before htmx reads the form. */
export function installWidgetEvents(): void {
  document.addEventListener(
    'submit',
    (event) => {
      const form = event.target
      if (form instanceof HTMLFormElement && form.dataset.dxWith !== undefined) fillFromPage(form)
    },
    true,
  )
}
