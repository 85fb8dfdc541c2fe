#!/usr/bin/env node
// The `distributex` command. A committed launcher, so npm links the command on
// install, before the TypeScript has been built.
import { existsSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'

// Loading the code at start allocates a lot that survives, and V8 sizes the young generation after it: an idle
// process would keep 16 MB of it for good. It stays at its initial size until the parts have started; then
// it grows again (V8's default) as the traffic asks for it (dist/bin.js).
setFlagsFromString('--semi-space-growth-factor=1')

const compiled = new URL('../dist/bin.js', import.meta.url)
if (!existsSync(compiled)) {
  process.stderr.write('distributex: not built yet. Run "npm run build" at the repository root first.\n')
  process.exit(1)
}
await import(compiled.href)
