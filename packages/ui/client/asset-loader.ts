/**
 * Loads the widget assets a response announces in its `Link` header, each once
 * per page: a widget that arrives later (through htmx, or re-rendered after its
 * service recovers) brings its stylesheet and script along.
 */
export interface AssetLink {
  href: string
  as: 'style' | 'script'
}

/** Parses `Link: </a.css>; rel=preload; as=style, </b.js>; rel=preload; as=script`. */
export function parseLinkHeader(header: string | null): AssetLink[] {
  if (!header) return []
  const links: AssetLink[] = []
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /<([^>]+)>(.*)/.exec(part.trim())
    if (!match?.[1]) continue
    const params = match[2] ?? ''
    if (!/rel="?preload"?/i.test(params)) continue
    const as = /as="?(style|script)"?/i.exec(params)?.[1]
    if (as === 'style' || as === 'script') links.push({ href: match[1], as })
  }
  return links
}

function isLoaded(link: AssetLink): boolean {
  const absolute = new URL(link.href, location.href).href
  if (link.as === 'style') {
    return [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].some((el) => el.href === absolute)
  }
  return [...document.querySelectorAll<HTMLScriptElement>('script[src]')].some((el) => el.src === absolute)
}

/** Adds each stylesheet or script not yet on the page. */
export function loadAssets(links: AssetLink[]): void {
  for (const link of links) {
    if (isLoaded(link)) continue
    if (link.as === 'style') {
      const el = document.createElement('link')
      el.rel = 'stylesheet'
      el.href = link.href
      el.dataset.dxAsset = ''
      document.head.append(el)
    } else {
      const el = document.createElement('script')
      el.src = link.href
      el.defer = true
      el.dataset.dxAsset = ''
      document.head.append(el)
    }
  }
}
