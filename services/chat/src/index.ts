/**
 * @module @distributex/chat
 * The Chat service: nicknames, rooms, history, presence and private messages,
 * composed into the main app as the `room` widget or opened on its own at
 * `/chat`. Stateless: every process shares the database and the bus, and the
 * browsers' connections stay in the gateway's live hub.
 */
import { fileURLToPath } from 'node:url'
import { defineService } from '@distributex/sdk'
import { ConfigError, loadSecret } from '@distributex/protocol'
import { openStore } from '@distributex/store'
import { migrations } from './migrations.js'
import { AFTER_SETTLE_MS, type ChatDatabase } from './chat-store.js'
import { ChatCore, parseChatRateLimit } from './chat-core.js'
import { chatRoutes } from './chat-routes.js'
import { chatApi } from './chat-api.js'
import { ApiTokens, refuseRevokedTokens } from './api-tokens.js'
import { PresenceFollower } from './presence-follower.js'
import { consumeNewsShared } from './news-shared.js'

export const chatService = defineService({
  name: 'chat',
  version: '0.1.0',
  title: 'Chat',
  assetsDir: fileURLToPath(new URL('../assets', import.meta.url)),
  routes: [
    'GET /chat',
    'GET /chat/rooms/:slug',
    'GET /chat/rooms/:slug/messages',
    'POST /chat/nickname',
    'POST /chat/rooms',
    'POST /chat/rooms/:slug/join',
    'POST /chat/rooms/:slug/leave',
    'POST /chat/rooms/:slug/messages',
    'POST /chat/rooms/:slug/typing',
    'POST /chat/messages/:id',
    'POST /chat/messages/:id/delete',
    'POST /chat/private',
    'POST /chat/ping',
    'GET /chat/api/openapi.json',
    'GET /chat/api/tokens',
    'POST /chat/api/tokens',
    'DELETE /chat/api/tokens/:id',
  ],
  widgets: [{ name: 'room', title: 'Chat', path: '/chat', description: 'Rooms, nicknames, history, presence and private messages', assets: { css: ['/chat/assets/chat.css'], js: ['/chat/assets/chat.js'] } }],
  async setup(app, context) {
    const rateLimit = parseChatRateLimit(context.env.DX_CHAT_RATE_LIMIT)
    const store = await openStore<ChatDatabase>({ service: 'chat', migrations, databaseUrl: context.databaseUrl, dataDir: context.dataDir })
    context.log.info({ store: store.location }, 'chat store ready')
    const secret = loadSecret({ env: context.env, dataDir: context.dataDir })
    const core = new ChatCore({ store, live: context.live, rateLimit })
    // Every stored change's live updates and events are published from the outbox (docs/architecture.md, outbox).
    context.relayOutbox(store)
    const tokens = new ApiTokens(store.db)
    refuseRevokedTokens(app, tokens, secret)
    chatRoutes(app, core, context.live, secret)
    chatApi(app, core, secret, tokens, parseSettleMs(context.env.DX_CHAT_API_SETTLE_MS))
    const follower = context.bus ? new PresenceFollower({ bus: context.bus, core, log: context.log }) : undefined
    if (follower) core.roomOpened = (slug) => follower.follow(slug)
    await follower?.start()
    const news = context.bus ? await consumeNewsShared(context.bus, core, context.log) : undefined
    return async () => {
      await news?.stop()
      await follower?.stop()
      await store.close()
    }
  },
})

/** Reads `DX_CHAT_API_SETTLE_MS`: how old a message must be before a poller is handed it (default 1000). */
function parseSettleMs(value: string | undefined): number {
  if (value === undefined || value === '') return AFTER_SETTLE_MS
  const ms = Number(value)
  if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) throw new ConfigError(`DX_CHAT_API_SETTLE_MS must be a whole number of milliseconds from 0 to 60000, got "${value}"`)
  return ms
}

export default chatService
export { ChatStore, type ChatDatabase, type Message, type Room } from './chat-store.js'
export { migrations } from './migrations.js'
export { parseMessage, parseNickname, parseRoomName, MESSAGE_MAX, NICKNAME_MAX, ROOM_NAME_MAX } from './chat-rules.js'
export { NewsSharedSchema, NEWS_SHARED_TOPIC, type NewsShared } from './news-shared.js'
export { OPENAPI_PATH } from './openapi.js'
