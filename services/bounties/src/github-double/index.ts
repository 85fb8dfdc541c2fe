/**
 * @module @distributex/bounties/github-double
 * The local GitHub double, for tests and offline trials.
 */
export { startGitHubDouble, type GitHubDouble, type GitHubDoubleOptions, type RecordedComment, type InjectedFailure } from './github-double.js'
export { checkAppJwt } from './app-jwt.js'
export { oauthDouble, type OAuthApp, type GitHubUser, type OAuthDouble } from './oauth-double.js'
