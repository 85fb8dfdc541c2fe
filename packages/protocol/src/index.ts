/**
 * @module @distributex/protocol
 * What every distributex service and the gateway agree on.
 */
export { PROTOCOL_VERSION, HEADERS, RESERVED_HEADER_PREFIX, SERVICE_PATHS } from './headers.js'
export {
  ManifestSchema,
  WidgetSchema,
  WidgetAssetsSchema,
  parseManifest,
  isUnderMount,
  type Manifest,
  type ManifestInput,
  type Widget,
  type WidgetAssets,
} from './manifest.js'
export { signIdentity, verifyIdentity, IdentitySchema, IDENTITY_TTL_SECONDS, type Identity } from './identity.js'
export { loadSecret, MIN_SECRET_LENGTH } from './secret.js'
export {
  DxError,
  hasErrorCode,
  ConfigError,
  ManifestError,
  IdentityError,
  ValidationError,
  ForeignChannelError,
  BusUnavailableError,
  StoppedError,
  BodyTooLargeError,
  codedError,
  formatBytes,
  type DxErrorCode,
  type DxCode,
  type DxErrorOptions,
} from './errors.js'
export { isCrossOriginRequest } from './cross-origin.js'
export { STREAM_ACTIONS, StreamActionSchema, LiveUpdateSchema, ChannelSchema, liveTopic, assertOwnChannel, isOwnChannel, parseLiveUpdate, LIVE_RETAIN_MS, type StreamAction, type StreamActionName, type LiveUpdate } from './stream-actions.js'
export {
  purposeLabel,
  purposeKey,
  credentialMac,
  sameCredential,
  personId,
  presenceReadToken,
  faultsCredential,
  publishCredential,
  type CredentialPurpose,
} from './credentials.js'
export { signChannelToken, checkChannelToken, signPageSession, checkPageSession, CHANNEL_TOKEN_TTL_SECONDS } from './channel-token.js'
export { MEMBERS_TOPIC, HEARTBEAT_INTERVAL_MS, HEARTBEAT_DEADLINE_MS, MemberSchema, type Member } from './membership.js'
export { PRESENCE_BEAT_MS, PRESENCE_TTL_MS, PRESENCE_RETAIN_MS, presenceTopic, PresenceEventSchema, type PresenceEvent, type Person } from './presence.js'
export { PresenceView, type PresenceChange } from './presence-view.js'
export { describeIssues, parseOrThrow } from './describe-issues.js'
export { prefersJson, crossSiteRefusal, CROSS_SITE_REFUSAL, type ErrorBody } from './error-body.js'
export { FAULTS_PATH, FaultsSchema, NO_FAULTS, hasFaults, checkFaultsCredential, type Faults, type FaultsInput } from './faults.js'
export { MAX_MANIFEST_BYTES, MAX_HEALTH_BYTES, MAX_FRAGMENT_BYTES } from './limits.js'
export { securityHeaders, contentSecurityPolicy, CspAdditionsSchema, CspSourceSchema, CSP_OPEN_DIRECTIVES, CSP_REPORT_PATH, type SecurityPolicy, type CspAdditions, type CspOpenDirective } from './security-headers.js'
export { compareOffsets, followFrom, isAtOrBefore, parsePosition, PRESENCE_EVENT, type Position, type ClientMessage, type ServerMessage, type PresenceMessage } from './live-wire.js'
