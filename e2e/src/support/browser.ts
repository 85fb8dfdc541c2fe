/**
 * @module browser
 * Launches the system's headless Chromium through playwright-core. Where no
 * Chromium is installed the browser tests are skipped with the reason, except
 * in CI, where that is a failure.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false
  if (process.env.CI === 'true') throw new Error(`Chromium not found at ${CHROMIUM}, but CI=true requires the browser tests: install Debian's chromium package.`)
  return `Chromium not found at ${CHROMIUM}; install it (apt-get install chromium) or set CHROMIUM_PATH`
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}

/** Waits until the page's live runtime follows `channel` on the hub (it has subscribed). */
export async function following(page: Page, channel: string, options: { timeout?: number } = {}): Promise<void> {
  await page.waitForFunction((name) => (window as unknown as { dx?: { subscriptions: Map<string, unknown> } }).dx?.subscriptions.has(name), channel, options)
}

/** A page in a new browser context (its own cookies) at `url`, once it follows `channel`. */
export async function openFollowing(browser: Browser, url: string, channel: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  await page.goto(url)
  await following(page, channel)
  return page
}
