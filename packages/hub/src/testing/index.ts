/**
 * @module @distributex/hub/testing
 * For tests: a Node client of the live wire, and the hub contract every place
 * that serves a hub runs (the gateway, the SDK).
 */
export { LiveClient, type LiveMessage, type LiveUpdate, type SessionCookie } from './live-client.js'
export { runHubContract, type Adapter, type HubContractOptions, type HubHarness, type HubNode, type ContractBus } from './hub-contract.js'
