/**
 * Preloaded into the distributex node (`--import`), before the gateway's code loads: the
 * same young-generation policy as the `distributex` launcher
 * (packages/cli/bin/distributex.js), so the node's memory is a production
 * gateway's. Loading the code allocates a lot that survives, and V8 would size
 * the young generation after it for good (16 MB of semi-spaces, about 12 MB of
 * RSS): it stays at its initial size until the gateway has started, then may
 * grow again with the traffic (`releaseYoungGeneration`).
 */
import { setFlagsFromString } from 'node:v8'

setFlagsFromString('--semi-space-growth-factor=1')

/** Started: V8's default growth again, as the launcher sets once the parts run. */
export function releaseYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=2')
}
