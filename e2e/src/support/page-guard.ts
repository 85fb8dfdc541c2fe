/**
 * @module page-guard
 * Watches a browser context the way an attacker's success would show: any
 * dialog (alert, confirm, prompt), any Content-Security-Policy violation the
 * page reports (`securitypolicyviolation`), and, on demand, any element or
 * attribute that came from input (`x-pwn`, `pwnattr`, event handlers, inline
 * scripts and styles, frames, `javascript:`/`data:` links), in the document and
 * in every shadow root.
 */
import type { BrowserContext, Page } from 'playwright-core'

export interface Guard {
  readonly dialogs: string[]
  /** CSP violations reported in every page of the context. */
  violations(): Promise<string[]>
  /** Elements and attributes in `page` that should not be there. */
  injected(page: Page): Promise<string[]>
}

export async function guardContext(context: BrowserContext): Promise<Guard> {
  const dialogs: string[] = []
  await context.addInitScript(() => {
    const list: string[] = []
    ;(window as unknown as { dxViolations: string[] }).dxViolations = list
    document.addEventListener('securitypolicyviolation', (event) => {
      list.push(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber} ${event.sample}`)
    })
  })
  const watch = (page: Page) =>
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`)
      void dialog.dismiss()
    })
  context.pages().forEach(watch)
  context.on('page', watch)
  return {
    dialogs,
    async violations() {
      const all = await Promise.all(context.pages().map((page) => page.evaluate(() => (window as unknown as { dxViolations?: string[] }).dxViolations ?? []).catch(() => [])))
      return all.flat()
    },
    injected: (page) => page.evaluate(findInjected),
  }
}

/** Runs in the page. */
function findInjected(): string[] {
  const found: string[] = []
  // A plain-text answer is shown by the browser's own viewer: nothing in it came from the page.
  if (document.contentType !== 'text/html') return found
  const roots: (Document | ShadowRoot)[] = [document]
  for (let i = 0; i < roots.length; i++) {
    for (const element of roots[i]!.querySelectorAll('*')) {
      if (element.shadowRoot) roots.push(element.shadowRoot)
      const name = element.localName
      const describe = () => element.outerHTML.slice(0, 120)
      if (name === 'x-pwn' || name === 'iframe' || name === 'object' || name === 'embed' || name === 'style') found.push(`element: ${describe()}`)
      if (name === 'script' && !element.hasAttribute('src')) found.push(`inline script: ${describe()}`)
      if (name === 'meta' && element.hasAttribute('http-equiv')) found.push(`meta refresh: ${describe()}`)
      for (const attribute of element.attributes) {
        if (attribute.name === 'pwnattr' || attribute.name.startsWith('on') || attribute.name === 'style') found.push(`attribute ${attribute.name}: ${describe()}`)
        if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attribute.name) && /^\s*(javascript|data):/i.test(attribute.value)) {
          // The shared favicon is an inline SVG image, not a link a person follows.
          if (!(name === 'link' && element.getAttribute('rel') === 'icon' && attribute.value.startsWith('data:image/svg+xml'))) found.push(`${attribute.value.slice(0, 11)} URL: ${describe()}`)
        }
      }
    }
  }
  return found
}
