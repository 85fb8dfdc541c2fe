/**
 * @module chat-test-kit
 * The chat service built in-process on an in-memory bus, with people who come
 * "through the gateway" (a signed identity per session), for the service's tests.
 */
import type { TestContext } from 'node:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { signIdentity, liveTopic, personId, type LiveUpdate, type StreamAction } from '@distributex/protocol'
import { createBus, type Bus } from '@distributex/bus'
import { openStore, type OutboxDatabase } from '@distributex/store'
import { waitFor } from '@distributex/testkit'
import { chatService } from './index.js'
import { migrations } from './migrations.js'

export const SECRET = 'c'.repeat(48)

export interface Visitor {
  id: string
  get(url: string): Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>
  post(url: string, form?: Record<string, string>, options?: { htmx?: boolean; referer?: string }): Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>
}

export async function buildChat(t: TestContext, options: { bus?: Bus; dataDir?: string; env?: Record<string, string> } = {}) {
  const bus = options.bus ?? createBus(undefined)
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'dx-chat-'))
  const { app, close } = await chatService.build({ dataDir, logLevel: 'silent', env: { DX_SECRET: SECRET, DX_CHAT_API_SETTLE_MS: '0', ...options.env }, databaseUrl: undefined, bus })
  // A second connection to the chat's database, as a tool would open, to see when its outbox is published.
  const outbox = await openStore<OutboxDatabase>({ service: 'chat', migrations, dataDir })
  t.after(async () => {
    await close()
    await outbox.close()
    if (!options.bus) await bus.close()
  })
  /** Waits until everything stored so far has been published (the relay runs right after each commit). */
  const settled = () =>
    waitFor(async () => Number((await outbox.db.selectFrom('dx_outbox').select((eb) => eb.fn.countAll<string>().as('rows')).executeTakeFirstOrThrow()).rows) === 0, { what: 'the chat outbox to be published' })

  /** Someone whose browser session is `sid`, coming through the gateway. */
  const visitor = (sid: string): Visitor => {
    const headers = () => ({ 'x-dx-identity': signIdentity(SECRET, { sub: `anon:${sid}`, sid }) })
    return {
      id: personId(SECRET, sid),
      get: (url) => app.inject({ url, headers: { ...headers(), 'x-dx-fragment': '1' } }),
      post: (url, form = {}, { htmx = false, referer } = {}) =>
        app.inject({
          method: 'POST',
          url,
          payload: new URLSearchParams(form).toString(),
          headers: { ...headers(), 'content-type': 'application/x-www-form-urlencoded', ...(htmx ? { 'hx-request': 'true' } : {}), ...(referer ? { referer } : {}) },
        }),
    }
  }

  /** Every stream action published to a channel so far. */
  const published = async (channel: string): Promise<StreamAction[]> => {
    await settled()
    const { messages } = await bus.read<LiveUpdate>(liveTopic(channel), { limit: 1000 })
    return messages.flatMap((message) => message.envelope.data.actions)
  }

  return { app, bus, dataDir, visitor, published, settled }
}
