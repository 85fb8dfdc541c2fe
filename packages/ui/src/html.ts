/**
 * @module html
 * A tagged template that escapes every interpolated value unless it is already
 * `SafeHtml`. Fragments are HTML, so this is where user text becomes safe.
 *
 * @example
 * html`<li>${todo.title}</li>` // "<script>" in the title is shown as text
 */

/** HTML that is already safe to insert: produced by `html` or vouched for with `raw`. */
export class SafeHtml {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const ESCAPABLE = /[&<>"']/g

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return ESCAPABLE.test(text) ? text.replace(ESCAPABLE, (c) => ESCAPES[c] ?? c) : text
}

/** Marks a string as safe HTML. Only for markup the code itself produced or fetched from a trusted service. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup)
}

type Renderable = SafeHtml | string | number | boolean | null | undefined | readonly Renderable[]

function render(value: Renderable): string {
  if (value instanceof SafeHtml) return value.value
  if (value === null || value === undefined || value === false || value === true) return ''
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(String(value))
}

/** Builds `SafeHtml`, escaping every value (arrays are rendered item by item). */
export function html(strings: TemplateStringsArray, ...values: Renderable[]): SafeHtml {
  let out = strings[0] ?? ''
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '')
  return new SafeHtml(out)
}
