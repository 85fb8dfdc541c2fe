/**
 * @module compose-page
 * Composes a page from widgets. All fragments are requested at once; the shell
 * (header, navigation, a skeleton per widget) is flushed before any arrives, and
 * each widget is streamed into its slot the moment it is ready, so a slow
 * service delays only its own widget and never the page. A widget past its
 * timeout is streamed as "currently unavailable" and retries by itself.
 */
import type { ServerResponse } from 'node:http'
import { ConfigError } from '@distributex/protocol'
import { deploymentJson, shellEnd, shellStart, type NavLink, type ShellOptions } from '@distributex/ui'
import type { PageConfig } from '../config.js'
import { fetchWidget, type WidgetOutcome } from './fetch-widget.js'
import { FetchGroup } from './fetch-group.js'
import type { ServiceRegistry } from '../registry/service-registry.js'
import { assetLinks, frameFor } from './widget-frames.js'

export interface ComposeOptions {
  page: PageConfig
  registry: ServiceRegistry
  nav: NavLink[]
  defaultTimeoutMs: number
  /** Protocol headers for a given service mount. */
  headersFor: (mount: string) => Record<string, string>
  /** Headers every page response carries (request id, session cookie). */
  responseHeaders: Record<string, string | string[]>
  search: string
  /** The live hub's URL when the gateway has one. */
  live: string | undefined
  /** How long the shell may wait for widgets so that a fast page leaves in one write. */
  flushWindowMs: number
  /** Development build id (see ShellOptions.devBuild). */
  devBuild?: string | undefined
  /** Where the page's "End session" button posts. */
  sessionEnd?: string
}

export async function composePage(res: ServerResponse, options: ComposeOptions): Promise<void> {
  const { page, registry } = options
  const group = new FetchGroup()
  const onClose = () => {
    if (!res.writableFinished) group.cancelAll()
  }
  res.on('close', onClose)

  const widgets = page.widgets.map((ref) => {
    const entry = registry.get(ref.service)
    if (!entry) throw new ConfigError(`page ${page.path} shows a widget of service "${ref.service}", which is not in the configuration`)
    const timeoutMs = ref.timeoutMs ?? options.defaultTimeoutMs
    const outcome = fetchWidget({ entry, widget: ref.widget, headers: options.headersFor(entry.mount), timeoutMs, group, search: options.search })
    return { ref, entry, outcome }
  })

  // A primary widget decides the page's status, so the head waits for it alone.
  let status = 200
  const primary = widgets.find((w) => w.ref.primary)
  if (primary) {
    const outcome = await primary.outcome
    if (outcome.kind !== 'ok') status = outcome.status === 504 ? 504 : 503
  }

  const css: string[] = []
  const js: string[] = []
  for (const { ref, entry } of widgets) {
    const assets = entry.manifest?.widgets.find((w) => w.name === ref.widget)?.assets
    if (!assets) continue
    css.push(...assets.css)
    js.push(...assets.js)
  }
  const link = assetLinks(css, js)
  res.writeHead(status, {
    ...options.responseHeaders,
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    ...(link ? { link } : {}),
  })
  const shell = cachedShell({
    title: page.title,
    homeUrl: '/',
    nav: options.nav,
    slots: widgets.map(({ ref, entry }) => ({ name: `${ref.service}.${ref.widget}`, title: entry.title })),
    css,
    js,
    ...(options.live ? { live: options.live } : {}),
    ...(options.devBuild ? { devBuild: options.devBuild } : {}),
    ...(options.sessionEnd ? { sessionEnd: options.sessionEnd } : {}),
  })

  // The shell waits at most `flushWindowMs` for the widgets: a fast page leaves in one write,
  // and a slow widget never holds the header and skeletons back for longer than that.
  let pending = shell
  let streaming = false
  let flushScheduled = false
  const flush = () => {
    flushScheduled = false
    if (pending && !res.destroyed) res.write(pending)
    pending = ''
  }
  const startStreaming = () => {
    streaming = true
    flush()
  }
  const window = options.flushWindowMs > 0 ? setTimeout(startStreaming, options.flushWindowMs) : undefined
  if (!window) startStreaming()
  await Promise.all(
    widgets.map(({ ref, entry, outcome }) =>
      outcome.then((result: WidgetOutcome) => {
        pending += `${frameFor(ref.service, ref.widget, entry.title, result).value}\n`
        // Widgets that finish in the same turn of the event loop go out in one write.
        if (streaming && !flushScheduled) {
          flushScheduled = true
          setImmediate(flush)
        }
      }),
    ),
  )
  clearTimeout(window)
  res.off('close', onClose)
  // The last widgets and the end of the document share the final write.
  const rest = pending
  pending = ''
  res.end(rest + shellEnd())
}

const shells = new Map<string, string>()

/** The shell changes only when titles, assets, navigation or the deployment do: render it once per variant. */
function cachedShell(options: ShellOptions): string {
  const key = deploymentJson() + JSON.stringify(options)
  let shell = shells.get(key)
  if (shell === undefined) {
    if (shells.size >= 256) shells.clear()
    shell = shellStart(options)
    shells.set(key, shell)
  }
  return shell
}
