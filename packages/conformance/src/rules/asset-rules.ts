/**
 * @module asset-rules
 * §4.4: every stylesheet and script a widget declares is served, with its type.
 */
import { fail, pass, rule, skip } from '../rule.js'

const EXPECTED = { css: { type: /^text\/css/, name: 'text/css' }, js: { type: /^(text|application)\/javascript/, name: 'text/javascript' } } as const

export const assetsDeclaredReachable = rule('assets.declared-reachable', '4.4', 'declared widget assets are served', async (probe) => {
  const manifest = await probe.manifest()
  if (!manifest) return skip('needs a valid manifest (see manifest.valid)')
  const assets = manifest.widgets.flatMap((widget) => [
    ...widget.assets.css.map((path) => ({ widget: widget.name, path, kind: 'css' as const })),
    ...widget.assets.js.map((path) => ({ widget: widget.name, path, kind: 'js' as const })),
  ])
  if (assets.length === 0) return pass('no widget declares assets')
  for (const asset of assets) {
    const response = await probe.fetch(asset.path, { asGateway: false })
    if (response.status !== 200) return fail(`widget "${asset.widget}" declares ${asset.path}, which answered ${response.status}; serve it, or remove it from the manifest`)
    const type = response.headers['content-type'] ?? ''
    const expected = EXPECTED[asset.kind]
    if (!expected.type.test(type)) return fail(`${asset.path} answered content-type "${type || 'none'}"; send ${expected.name} (browsers refuse a ${asset.kind} file of another type)`)
  }
  return pass(`${assets.length} served: ${assets.map((asset) => asset.path).join(', ')}`)
})
