// The hub contract (@distributex/hub/testing) against the gateway; the SDK runs the same against a service's own URL.
import { createBus } from '@distributex/bus'
import { runHubContract } from '@distributex/hub/testing'
import { sessionCookieFor } from '../session.js'
import { startGateway, TEST_SECRET } from '../test-support/start-gateway.js'

const PAGE_ORIGIN = 'http://polls.localhost:7301'

runHubContract({
  name: 'gateway',
  secret: TEST_SECRET,
  cookie: (sessionId) => sessionCookieFor(TEST_SECRET, sessionId),
  createBus: (url) => createBus(url),
  allowedOrigin: PAGE_ORIGIN,
  start: (bus, env) => startGateway({}, [], { bus, env: { DX_LIVE_ORIGINS: PAGE_ORIGIN, ...env } }),
})
