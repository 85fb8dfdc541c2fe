/**
 * @module @distributex/ui
 * The shared look of every distributex page.
 */
export { html, raw, escapeHtml, SafeHtml } from './html.js'
export { shellStart, shellEnd, widgetFrame, renderPage, type ShellOptions, type NavLink, type SlotSpec, type FrameOptions } from './shell.js'
export { skeleton, unavailableBody, retryAttributes, type UnavailableOptions } from './states.js'
export { uiAssets, uiAssetUrl, serveUiAsset, UI_ASSET_PREFIX, type UiAsset, type AssetResponse } from './assets.js'
