#!/usr/bin/env node
/**
 * @module bin
 * The `distributex` command.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { DxError } from '@distributex/protocol'
import { loadGatewayConfig } from '@distributex/gateway'
import { HELP } from './help.js'
import { startParts, stopAll } from './start-command.js'

function fail(message: string): never {
  process.stderr.write(`distributex: ${message}\n`)
  process.exit(1)
}

async function main(): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        config: { type: 'string', short: 'c', default: 'distributex.config.json' },
        'log-level': { type: 'string' },
      },
    })
  } catch (error) {
    fail(`${(error as Error).message}\nRun "distributex --help" for usage.`)
  }
  const { values, positionals } = parsed
  if (values.version) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    process.stdout.write(`${pkg.version}\n`)
    return
  }
  const [command, ...names] = positionals
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP)
    return
  }
  if (command !== 'start') fail(`unknown command "${command}". Run "distributex --help" for usage.`)

  const configFile = values.config ?? 'distributex.config.json'
  const config = loadGatewayConfig(configFile)
  const running = await startParts({ configFile, config, names, ...(values['log-level'] ? { logLevel: values['log-level'] } : {}) })
  process.stdout.write(`\ndistributex is running:\n${running.map((part) => `  ${part.name.padEnd(10)} ${part.open}`).join('\n')}\nPress Ctrl+C to stop.\n\n`)

  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    process.stdout.write(`\n${signal}: stopping…\n`)
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    void stopAll(running).then(() => process.exit(0))
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
}

main().catch((error: unknown) => {
  if (error instanceof DxError) fail(error.message)
  fail((error as Error).stack ?? String(error))
})
