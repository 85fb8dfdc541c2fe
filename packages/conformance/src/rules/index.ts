/**
 * @module rules
 * Every conformance rule, in the order of docs/protocol.md.
 */
import type { Rule } from '../rule.js'
import { manifestServed, manifestValid } from './manifest-rules.js'
import { healthOk } from './health-rules.js'
import { healthSize, manifestSize } from './limit-rules.js'
import { faultsAuthenticated, faultsJsonOnly } from './fault-rules.js'
import { fragmentContentType, fragmentFast, fragmentIsFragment, fragmentOk, fragmentSize } from './fragment-rules.js'
import { pageFullDocument, pageHtmxConfig, pageLandmarks, pageSharedLook } from './page-rules.js'
import { assetsDeclaredReachable } from './asset-rules.js'
import { requestIdEchoed, versionHeader } from './header-rules.js'
import { identityAcceptsValid, identityRejectsExpired, identityRejectsForged } from './identity-rules.js'
import { formsCrossSiteRefused, htmlEscapesInput } from './safety-rules.js'
import { errorsJsonRefusals, errorsJsonShape, notFoundStatus } from './error-rules.js'
import { liveGrantValid } from './live-rules.js'
import { pageSecurityHeaders } from './security-rules.js'

export const RULES: readonly Rule[] = [
  manifestServed,
  manifestValid,
  manifestSize,
  healthOk,
  healthSize,
  faultsAuthenticated,
  faultsJsonOnly,
  fragmentOk,
  fragmentFast,
  fragmentContentType,
  fragmentIsFragment,
  fragmentSize,
  pageFullDocument,
  pageSharedLook,
  pageLandmarks,
  pageHtmxConfig,
  assetsDeclaredReachable,
  requestIdEchoed,
  versionHeader,
  pageSecurityHeaders,
  identityRejectsForged,
  identityRejectsExpired,
  identityAcceptsValid,
  formsCrossSiteRefused,
  htmlEscapesInput,
  notFoundStatus,
  errorsJsonShape,
  errorsJsonRefusals,
  liveGrantValid,
]
