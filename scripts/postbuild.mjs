// Makes the CLI's compiled entry point executable, so `npx distributex` runs it.
import { chmodSync } from 'node:fs'
chmodSync('packages/cli/dist/bin.js', 0o755)
