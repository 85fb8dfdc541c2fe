#!/usr/bin/env node
// The `distributex` command. A committed launcher, so npm links the command on
// install, before the TypeScript has been built.
import { existsSync } from 'node:fs'

const compiled = new URL('../dist/bin.js', import.meta.url)
if (!existsSync(compiled)) {
  process.stderr.write('distributex: not built yet. Run "npm run build" at the repository root first.\n')
  process.exit(1)
}
await import(compiled.href)
