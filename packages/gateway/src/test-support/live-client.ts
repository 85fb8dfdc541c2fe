/**
 * @module live-client
 * The hub's test client, carrying the gateway's session cookie.
 */
import { LiveClient as HubLiveClient } from '@distributex/hub/testing'
import { sessionCookieFor } from '../session.js'
import { TEST_SECRET } from './start-gateway.js'

export type { LiveMessage, LiveUpdate } from '@distributex/hub/testing'

export class LiveClient extends HubLiveClient {
  constructor(sessionId?: string) {
    super((sid) => sessionCookieFor(TEST_SECRET, sid), sessionId)
  }
}
