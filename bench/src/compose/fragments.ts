/**
 * The three widgets every composer puts on the page: their services' names, the
 * fragment HTML (about 2 KB each, fixed so every composer moves the same bytes)
 * and the marker that proves a page holds each fragment exactly once.
 */

export const SERVICES = ['alpha', 'beta', 'gamma'] as const
export type ServiceName = (typeof SERVICES)[number]

export const SERVICE_VERSION = '1.0.0'
export const WIDGET = 'w'

/** Where a service serves its widget; Podium's content route is the same path. */
export function widgetPath(service: ServiceName): string {
  return `/${service}/${WIDGET}`
}

export function title(service: ServiceName): string {
  return service.charAt(0).toUpperCase() + service.slice(1)
}

/** The service manifest at `/_dx/manifest`, the same from the Node fragment servers and from nginx (composer-only mode). */
export function distributexManifest(service: ServiceName) {
  return {
    protocol: 1,
    name: service,
    version: SERVICE_VERSION,
    title: title(service),
    mount: `/${service}`,
    routes: [],
    widgets: [{ name: WIDGET, title: `${title(service)} widget`, path: widgetPath(service), assets: { css: [], js: [] } }],
  }
}

function marker(service: ServiceName): string {
  return `data-bench-fragment="${service}"`
}

const TARGET_BYTES = 2048

export function fragmentHtml(service: ServiceName): string {
  const open = `<section class="bench-widget" ${marker(service)}><h2>${service}</h2><ul>`
  const close = '</ul></section>'
  let items = ''
  for (let i = 1; open.length + items.length + close.length < TARGET_BYTES - 80; i++) {
    items += `<li class="bench-item"><a href="/${service}/items/${i}">${service} item ${i}</a> <span>${i * 7} points</span></li>`
  }
  return open + items + close
}

/** What is wrong with a composed page: each fragment must appear exactly once. Empty when it is right. */
export function fragmentProblems(body: string): string[] {
  const problems: string[] = []
  for (const service of SERVICES) {
    const count = body.split(marker(service)).length - 1
    if (count !== 1) problems.push(`fragment "${service}" appears ${count} times`)
  }
  return problems
}

/** The cheap check run on every response under load. */
export function hasEveryFragment(body: string): boolean {
  return SERVICES.every((service) => body.includes(marker(service)))
}
