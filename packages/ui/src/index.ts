/**
 * @module @distributex/ui
 * The shared look of every distributex page.
 */
export { html, raw, escapeHtml, SafeHtml } from './html.js'
export { shellStart, shellEnd, widgetFrame, renderPage, type ShellOptions, type NavLink, type SlotSpec, type FrameOptions } from './shell.js'
export { skeleton, unavailableBody, retryAttributes, type UnavailableOptions } from './states.js'
export { uiAssets, uiAssetUrl, uiAssetBase, uiAssetSet, uiAssetSetOf, uiAssetSetWith, useUiAssetSet, setUiAssetOrigin, serveUiAsset, UI_ASSET_PREFIX, IMMUTABLE, type UiAsset, type UiAssetSet, type AssetResponse } from './assets.js'
export { publishUiAssets, archivedUiAsset } from './asset-archive.js'
export { configureDeployment, deploymentJson, type DeploymentEnvironment } from './deployment-env.js'
