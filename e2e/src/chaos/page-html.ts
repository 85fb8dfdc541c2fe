/**
 * @module page-html
 * Reads a composed page (or one widget's fragment) the way the browser
 * runtime does: the widget frames (`<section data-dx-widget>`), whether each is
 * the "currently unavailable" state, and the live channels each one grants.
 */

/** A live channel granted by a widget: `data-dx-live`, `data-dx-token`, `data-dx-after`. */
export interface Grant {
  channel: string
  token: string
  after: { epoch: string; offset: string } | undefined
}

/** One widget frame as it stands in the page. */
export interface Frame {
  /** `<service>.<widget>`. */
  slot: string
  service: string
  available: boolean
  grants: Grant[]
  html: string
}

const FRAME_START = /<section slot="([a-z][a-z0-9-]*\.[a-z][a-z0-9-]*)"/g
const LIVE_TAG = /<[a-z][^>]*\sdata-dx-live="[^"]*"[^>]*>/g

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]
}

/** Parses `<epoch>:<offset>` as the runtime does; `:0` and missing give undefined epoch handling to the hub. */
export function parsePosition(text: string | undefined): Grant['after'] {
  if (!text) return undefined
  const at = text.lastIndexOf(':')
  return at >= 0 ? { epoch: text.slice(0, at), offset: text.slice(at + 1) } : undefined
}

function grantsIn(html: string): Grant[] {
  const grants: Grant[] = []
  for (const [tag] of html.matchAll(LIVE_TAG)) {
    const channel = attribute(tag, 'data-dx-live')
    const token = attribute(tag, 'data-dx-token')
    if (channel && token) grants.push({ channel, token, after: parsePosition(attribute(tag, 'data-dx-after')) })
  }
  return grants
}

/** Every widget frame in `html`, in page order (a fragment answer holds exactly one). */
export function framesIn(html: string): Frame[] {
  const starts = [...html.matchAll(FRAME_START)]
  return starts.map((match, i) => {
    const slot = match[1] ?? ''
    const body = html.slice(match.index, starts[i + 1]?.index ?? html.length)
    return { slot, service: slot.split('.')[0] ?? '', available: !body.includes('data-dx-state="unavailable"'), grants: grantsIn(body), html: body }
  })
}

/** The marker strings found in `html` (each chaos message carries one). */
export function markersIn(html: string, marker: RegExp): string[] {
  return [...html.matchAll(marker)].map((match) => match[0])
}
