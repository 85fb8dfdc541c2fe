/**
 * @module shell
 * The page every distributex screen shares: the gateway's composed home page and
 * a service's own full page are the same document, so a service opened on its
 * own URL looks and behaves like it does inside the main app.
 *
 * The layout lives in a declarative shadow root with one named `<slot>` per
 * widget (showing a skeleton until filled). Widgets are streamed afterwards as
 * light-DOM children carrying `slot="<name>"`, in whatever order they finish:
 * out-of-order streaming that needs no JavaScript, and the slotted widgets stay
 * in the document so htmx, styles and `getElementById` see them as usual.
 */
import { html, raw, type SafeHtml } from './html.js'
import { uiAssetUrl } from './assets.js'
import { deploymentJson } from './deployment-env.js'
import { skeleton } from './states.js'

export interface NavLink {
  href: string
  label: string
  current?: boolean
}

export interface SlotSpec {
  /** Slot name, `<service>.<widget>`. */
  name: string
  /** Widget title, shown by its skeleton. */
  title: string
}

export interface ShellOptions {
  /** Title of this page; the document title becomes "<title> · distributex". */
  title: string
  /** Where the brand link goes: the gateway's home page. */
  homeUrl: string
  nav: readonly NavLink[]
  slots: readonly SlotSpec[]
  /** Widget stylesheets and scripts, each loaded once. */
  css?: readonly string[]
  js?: readonly string[]
  /** URL of the gateway's live hub; pages without it get no live connection. */
  live?: string
  /** Development: the server's build id; the page reloads itself when the server restarts with another. */
  devBuild?: string
  /** Shown under the header when a service renders its own page. */
  note?: SafeHtml | string
  /** Where the "End session" button posts (the gateway's logout); pages without it have no button. */
  sessionEnd?: string
}

/**
 * htmx settings: swap 422 answers (forms re-rendered with their errors), never 5xx. Under the strict
 * Content-Security-Policy htmx evaluates nothing (no `hx-on`, no `js:` values, no trigger filters) and
 * injects no inline style (the indicator rules are in app.css).
 */
const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  includeIndicatorStyles: false,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true },
    { code: '[45]..', swap: false, error: true },
  ],
  defaultSwapStyle: 'outerHTML',
  scrollIntoViewOnBoost: false,
})

/** An inline icon, so no page ever asks for /favicon.ico. */
const FAVICON = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#4f46e5"/><text x="16" y="21" font-family="sans-serif" font-size="14" font-weight="700" fill="#fff" text-anchor="middle">dx</text></svg>')}`

function head(options: ShellOptions): SafeHtml {
  const css = [...new Set(options.css ?? [])]
  const js = [...new Set(options.js ?? [])]
  return html`<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · distributex</title>
<link rel="icon" href="${FAVICON}">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<meta name="dx-env" content="${deploymentJson()}">
${options.live ? html`<meta name="dx-live" content="${options.live}">\n` : ''}${options.devBuild ? html`<meta name="dx-dev-build" content="${options.devBuild}">\n` : ''}
<link rel="stylesheet" href="${uiAssetUrl('app.css')}">
${css.map((href) => html`<link rel="stylesheet" href="${href}" data-dx-asset>\n`)}<script src="${uiAssetUrl('htmx.min.js')}" defer></script>
<script src="${uiAssetUrl('idiomorph-ext.min.js')}" defer></script>
<script type="module" src="${uiAssetUrl('dx.js')}"></script>
${js.map((src) => html`<script src="${src}" defer data-dx-asset></script>\n`)}</head>`
}

function layout(options: ShellOptions): SafeHtml {
  const columns = options.slots.length > 1 ? 'lg:grid-cols-2' : ''
  return html`<template shadowrootmode="open">
<link rel="stylesheet" href="${uiAssetUrl('app.css')}">
<div class="flex min-h-screen flex-col">
  <header class="border-b border-slate-200 bg-white/80 backdrop-blur">
    <div class="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
      <a href="${options.homeUrl}" class="flex items-center gap-2 font-semibold tracking-tight text-slate-900"><span aria-hidden="true" class="grid h-7 w-7 place-items-center rounded-lg bg-indigo-600 text-sm text-white">dx</span>distributex</a>
      <nav aria-label="Main" class="flex flex-wrap gap-1 text-sm">
        ${options.nav.map((link) => html`<a href="${link.href}" class="rounded-md px-3 py-1.5 ${link.current ? 'bg-slate-900 text-white' : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900'}"${link.current ? raw(' aria-current="page"') : ''}>${link.label}</a>`)}
      </nav>
      ${options.sessionEnd ? html`<form method="post" action="${options.sessionEnd}" class="ml-auto"><button type="submit" class="dx-btn-quiet text-xs" title="Forget this browser's session: nickname, votes and open rooms start afresh">End session</button></form>` : ''}
    </div>
  </header>
  ${options.note ? html`<div class="mx-auto w-full max-w-6xl px-4 pt-4 text-sm text-slate-500">${options.note}</div>` : ''}
  <main class="mx-auto grid w-full max-w-6xl flex-1 items-start gap-6 px-4 py-6 ${columns}">
    ${options.slots.map((slot) => html`<div class="min-w-0"><slot name="${slot.name}">${skeleton(slot.title)}</slot></div>`)}
    <slot></slot>
  </main>
  <footer class="mx-auto w-full max-w-6xl px-4 py-6 text-xs text-slate-400">Composed by distributex from independently deployed services.</footer>
</div>
</template>`
}

/** The document up to where widgets are streamed in. Flush it at once. */
export function shellStart(options: ShellOptions): string {
  return html`<!doctype html>
<html lang="en">
${head(options)}
<body class="min-h-screen bg-slate-50 text-slate-900 antialiased" hx-ext="morph">
<dx-shell>
${layout(options)}
`.value
}

/** Closes what `shellStart` opened. */
export function shellEnd(): string {
  return '\n</dx-shell>\n</body>\n</html>\n'
}

export interface FrameOptions {
  slot: string
  title: string
  body: SafeHtml
  /** Extra attributes, e.g. `retryAttributes(...)` for an unavailable widget. */
  attributes?: SafeHtml
}

/** A widget in its slot: the element the gateway streams and htmx swaps. */
export function widgetFrame({ slot, title, body, attributes }: FrameOptions): SafeHtml {
  const id = `dx-w-${slot.replace(/[^a-z0-9-]/g, '-')}`
  return html`<section slot="${slot}" id="${id}" data-dx-widget="${slot}" aria-label="${title}"${attributes ?? ''}>${body}</section>`
}

/** A whole page with every widget already rendered (a service's own full page). */
export function renderPage(options: ShellOptions, frames: readonly SafeHtml[]): string {
  return shellStart(options) + frames.map((frame) => frame.value).join('\n') + shellEnd()
}
