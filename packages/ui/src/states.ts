/**
 * @module states
 * How a widget looks when it is not simply there: loading, unavailable, failed.
 * Every state is announced to screen readers (role="status").
 */
import { html, type SafeHtml } from './html.js'

/** Shown in the widget's place while its fragment is on its way. */
export function skeleton(title: string): SafeHtml {
  return html`<div class="dx-card animate-pulse" role="status" aria-busy="true" data-dx-state="loading">
  <p class="sr-only">Loading ${title}…</p>
  <div class="mb-4 h-5 w-1/3 rounded bg-slate-200"></div>
  <div class="space-y-3"><div class="h-9 rounded bg-slate-100"></div><div class="h-9 rounded bg-slate-100"></div><div class="h-9 w-2/3 rounded bg-slate-100"></div></div>
</div>`
}

export interface UnavailableOptions {
  title: string
  /** Where the widget can be fetched again (the gateway's fragment endpoint). */
  retryUrl: string
  /** Why, in words for a person: "did not answer in 1.5 s", "is down". */
  reason: string
  /** Seconds between automatic retries. */
  retryEverySeconds?: number
}

/**
 * The "currently unavailable" state. With JavaScript it polls `retryUrl` and
 * replaces itself once the service answers (the endpoint answers 503 until then,
 * which htmx does not swap); without JavaScript a reload link does the same.
 */
export function unavailableBody({ title, retryUrl, reason }: UnavailableOptions): SafeHtml {
  return html`<div class="dx-card border-l-4 border-amber-400" role="status" data-dx-state="unavailable">
  <h2 class="text-base font-semibold text-slate-900">${title} is currently unavailable</h2>
  <p class="mt-1 text-sm text-slate-600">The ${title} service ${reason}. The rest of the page works; this part comes back by itself when the service does.</p>
  <p class="mt-3 flex items-center gap-3">
    <button type="button" class="dx-btn-quiet ring-1 ring-slate-300" hx-get="${retryUrl}" hx-target="closest [data-dx-widget]" hx-swap="outerHTML">Retry now<span class="dx-when-busy" aria-hidden="true">…</span></button>
    <noscript><a class="dx-btn-quiet ring-1 ring-slate-300" href="">Reload the page</a></noscript>
  </p>
</div>`
}

/** Attributes that make a widget frame poll until its service is back. */
export function retryAttributes(retryUrl: string, everySeconds = 3): SafeHtml {
  return html` hx-get="${retryUrl}" hx-trigger="every ${everySeconds}s, dx:retry" hx-swap="outerHTML"`
}
