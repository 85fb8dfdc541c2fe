#!/usr/bin/env node
/**
 * @module bin
 * The `distributex` command.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { DxError } from '@distributex/protocol'
import { loadGatewayConfig } from '@distributex/gateway'
import { HELP } from './help.js'

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
        port: { type: 'string', short: 'p' },
        instances: { type: 'string', short: 'n' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
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
  if (command === 'check') {
    if (names.length > 1) fail(`check takes one URL, got ${names.length}. Run "distributex --help" for usage.`)
    const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout)
    if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000)) fail('--timeout must be a number of milliseconds from 100 to 60000')
    // Each command loads only what it needs: `check` the conformance rules, `start` the gateway and services.
    const { runCheck } = await import('./check-command.js')
    process.exitCode = await runCheck({ url: names[0], configFile: values.config ?? 'distributex.config.json', json: values.json ?? false, ...(timeoutMs !== undefined ? { timeoutMs } : {}) })
    return
  }
  if (command !== 'start' && command !== 'cluster') fail(`unknown command "${command}". Run "distributex --help" for usage.`)

  const configFile = values.config ?? 'distributex.config.json'
  const config = loadGatewayConfig(configFile)
  if (command === 'cluster') {
    const instances = Number(values.instances ?? 2)
    if (!Number.isInteger(instances) || instances < 1 || instances > 16) fail('--instances must be a whole number from 1 to 16')
    const { runCluster } = await import('./cluster-command.js')
    return runCluster({ configFile, config, instances, bin: process.argv[1] ?? '' })
  }
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) fail(`--port must be a port number, got "${values.port}"`)
  const { startParts, stopAll } = await import('./start-command.js')
  const running = await startParts({ configFile, config, names, ...(values['log-level'] ? { logLevel: values['log-level'] } : {}), ...(port !== undefined ? { port } : {}) })
  // Started: the young generation may grow again with the traffic (held small while loading, by bin/distributex.js).
  setFlagsFromString('--semi-space-growth-factor=2')
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
