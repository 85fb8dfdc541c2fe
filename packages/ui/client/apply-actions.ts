/**
 * Applies the stream actions of a live update to the page (docs/protocol.md
 * §9.4), each idempotent: an element already on the page is morphed, not added
 * twice. New content is handed to `activate` (htmx and the live runtime scan
 * it); a `refresh` action asks for its widget to be re-rendered.
 */
import type { ServerMessage } from './live-wire.js'

export type StreamAction = Extract<ServerMessage, { type: 'update' }>['actions'][number]

declare const Idiomorph: { morph(target: Element, html: string, options: object): void } | undefined

export function fragmentsOf(html: string): DocumentFragment {
  const template = document.createElement('template')
  template.innerHTML = html
  return template.content
}

/** The applier for a page: `activate` takes nodes just put on the page, `refresh` a widget frame to re-render. */
export function actionApplier({ activate, refresh }: { activate(nodes: Node[]): void; refresh(frame: HTMLElement): void }): (action: StreamAction) => void {
  /** Inserts, skipping (morphing) elements already on the page: applying twice changes nothing. */
  function insert(target: Element, html: string, where: InsertPosition): void {
    const fragment = fragmentsOf(html)
    for (const element of [...fragment.children]) {
      const existing = element.id ? document.getElementById(element.id) : null
      if (existing) {
        element.remove()
        morph(existing, element.outerHTML)
      }
    }
    const nodes = [...fragment.childNodes]
    if (where === 'beforeend') target.append(fragment)
    else if (where === 'afterbegin') target.prepend(fragment)
    else if (where === 'beforebegin') target.before(fragment)
    else target.after(fragment)
    activate(nodes)
  }

  function morph(target: Element, html: string): void {
    if (typeof Idiomorph === 'undefined') {
      target.outerHTML = html
      return
    }
    Idiomorph.morph(target, html, { morphStyle: 'outerHTML', ignoreActiveValue: true })
    activate([target])
  }

  function apply(action: StreamAction): void {
    const target = document.getElementById(action.target)
    if (!target) return
    const html = action.html ?? ''
    switch (action.action) {
      case 'append':
        return insert(target, html, 'beforeend')
      case 'prepend':
        return insert(target, html, 'afterbegin')
      case 'before':
        return insert(target, html, 'beforebegin')
      case 'after':
        return insert(target, html, 'afterend')
      case 'replace': {
        const fragment = fragmentsOf(html)
        const nodes = [...fragment.childNodes]
        target.replaceWith(fragment)
        return activate(nodes)
      }
      case 'update':
        target.replaceChildren(fragmentsOf(html))
        return activate([target])
      case 'remove':
        return target.remove()
      case 'morph':
        return morph(target, html)
      case 'refresh': {
        const frame = target.closest<HTMLElement>('[data-dx-widget]')
        if (frame) refresh(frame)
      }
    }
  }
  return apply
}
