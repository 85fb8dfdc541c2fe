/**
 * @module start-command
 * `distributex start [name...]`: starts the gateway and services named in the
 * configuration (all of them by default), each on its own port, in this process.
 * Run it once per name to give each part its own process.
 */
import { createRequire } from 'node:module'
import { basename, dirname, isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConfigError, loadSecret } from '@distributex/protocol'
import { createGateway, serviceUrl, type GatewayConfig } from '@distributex/gateway'
import { createBus, type Bus } from '@distributex/bus'
import type { DefinedService } from '@distributex/sdk'
import { CommandNotFoundError, startCommandService } from './command-service.js'

export interface Running {
  name: string
  url: string
  /** Where a person opens it. */
  open: string
  stop(): Promise<void>
}

export interface StartCommandOptions {
  configFile: string
  config: GatewayConfig
  names: string[]
  env?: NodeJS.ProcessEnv
  logLevel?: string
  /** Port for the one part named (for running several processes of it). */
  port?: number
}

/**
 * Resolves a service's `module` as an import written in a file beside the configuration would be:
 * a package in `node_modules` of the configuration's folder or a folder above it, or a path relative to it.
 */
export function resolveServiceModule(configFile: string, name: string, moduleName: string): string {
  const folder = dirname(resolve(configFile))
  try {
    return createRequire(resolve(configFile)).resolve(moduleName)
  } catch (cause) {
    // The package is there, but the file its "exports" names is not: it was never built.
    const missing = /Cannot find module '([^']+)'/.exec((cause as Error).message)?.[1]
    if (missing && missing !== moduleName && isAbsolute(missing)) {
      throw new ConfigError(`service "${name}": found module "${moduleName}", but not its file ${missing}. Run "npm run build" first.`, { cause })
    }
    throw new ConfigError(
      `service "${name}": cannot find module "${moduleName}" from ${folder} (the folder of ${basename(configFile)}: a module is looked up in node_modules there and in the folders above it). ` +
        `Start from the project that installs it (or point --config at its configuration), run "npm install" and "npm run build" there, or give "module" as a path relative to the configuration, e.g. "./services/${name}/dist/index.js".`,
      { cause },
    )
  }
}

async function loadService(configFile: string, name: string, moduleName: string): Promise<DefinedService> {
  const resolved = resolveServiceModule(configFile, name, moduleName)
  const loaded = (await import(pathToFileURL(resolved).href)) as { default?: DefinedService }
  if (!loaded.default || typeof loaded.default.start !== 'function') {
    throw new ConfigError(`service "${name}": module "${moduleName}" must export a service made with defineService() as its default export`)
  }
  return loaded.default
}

function explainListenError(error: unknown, what: string, port: number | undefined): Error {
  const code = (error as { code?: string }).code
  if (code === 'EADDRINUSE') return new ConfigError(`${what} cannot listen on port ${port}: it is in use. Stop the other process, or change the port in the configuration.`, { cause: error })
  return error as Error
}

/** Starts what `names` lists, in order: services first, so the gateway finds them up. */
export async function startParts({ configFile, config, names, env: givenEnv = process.env, logLevel, port: portOverride }: StartCommandOptions): Promise<Running[]> {
  let env = givenEnv
  if (portOverride !== undefined && names.length !== 1) throw new ConfigError('--port needs exactly one name to start, e.g. "distributex start todo --port 4101"')
  const known = ['gateway', ...Object.keys(config.services), ...Object.keys(config.internal)]
  const unknown = names.filter((name) => !known.includes(name))
  if (unknown.length) throw new ConfigError(`unknown name${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Choose from: ${known.join(', ')}.`)
  const wanted = names.length ? names : known
  // One bus for every part in this process; parts in other processes need a broker to meet.
  const bus: Bus = createBus(env.DISTRIBUTEX_BUS)
  const running: Running[] = [{ name: 'bus', url: bus.kind, open: busDescription(bus, env), stop: () => bus.close() }]
  try {
    await checkBus(bus, env)
    // Internal parts first: the services are told where they listen.
    env = { ...env, ...(await startInternalParts({ configFile, config, wanted, env, portOverride, running })) }
    for (const [name, service] of Object.entries(config.services)) {
      if (!wanted.includes(name)) continue
      if (!service.module && service.command) {
        const port = portOverride ?? service.port ?? Number(new URL(serviceUrl(name, service, env)).port)
        const part = await startCommandPart({ configFile, config, name, command: service.command, port, env, log: logLevel })
        if (part) running.push(part)
        continue
      }
      if (!service.module) {
        if (names.includes(name)) throw new ConfigError(`service "${name}" has no "module" to start; it runs on its own at ${serviceUrl(name, service, env)}`)
        continue
      }
      const definition = await loadService(configFile, name, service.module)
      const port = portOverride ?? service.port ?? Number(new URL(serviceUrl(name, service, env)).port)
      const started = await definition.start({ port, env, bus, ...(logLevel ? { logLevel } : {}) }).catch((error: unknown) => {
        throw explainListenError(error, `service "${name}"`, port)
      })
      running.push({ name, url: started.url, open: `http://localhost:${started.port}/${name}`, stop: () => started.stop() })
    }
    if (wanted.includes('gateway')) {
      // Services without a hub of their own (run by a command, e.g. Python Polls) follow their channels on the gateway's from their own URL.
      const liveOrigins = env.DX_LIVE_ORIGINS ?? commandServiceOrigins(config, env).join(' ')
      const gateway = await createGateway(config, { env: { ...env, DX_LIVE_ORIGINS: liveOrigins }, bus, ...(logLevel ? { logLevel } : {}), ...(portOverride !== undefined ? { port: portOverride } : {}) })
      const url = await gateway.start().catch((error: unknown) => {
        throw explainListenError(error, 'the gateway', portOverride ?? config.gateway.port)
      })
      running.push({ name: 'gateway', url, open: `http://localhost:${new URL(url).port}/`, stop: () => gateway.stop() })
    }
  } catch (error) {
    await stopAll(running)
    throw error
  }
  return running
}

interface InternalPart {
  start(options: { port: number; host: string; env: NodeJS.ProcessEnv }): Promise<{ address: string; stop(): Promise<void> }>
}

/**
 * Starts the internal parts named (e.g. the Ledger's gRPC server) on their internal address
 * (the configuration's `host`, or `DX_<NAME>_HOST`), and
 * answers `DX_<NAME>_ADDRESS` for each, for the services' environment. A part not started here is
 * still announced at its configured address, for services started in another process.
 */
async function startInternalParts({ configFile, config, wanted, env, portOverride, running }: { configFile: string; config: GatewayConfig; wanted: string[]; env: NodeJS.ProcessEnv; portOverride: number | undefined; running: Running[] }): Promise<NodeJS.ProcessEnv> {
  const addresses: NodeJS.ProcessEnv = {}
  for (const [name, part] of Object.entries(config.internal)) {
    const prefix = `DX_${name.toUpperCase().replace(/-/g, '_')}`
    const variable = `${prefix}_ADDRESS`
    addresses[variable] = env[variable] ?? `${part.host}:${part.port}`
    if (!wanted.includes(name)) continue
    const port = portOverride ?? part.port
    // DX_<NAME>_HOST: where a container or pod binds it (e.g. 0.0.0.0 on its private network).
    const host = env[`${prefix}_HOST`] || part.host
    const definition = (await loadService(configFile, name, part.module)) as unknown as InternalPart
    const started = await definition.start({ port, host, env }).catch((error: unknown) => {
      throw explainListenError(error, `internal part "${name}"`, port)
    })
    addresses[variable] = started.address
    running.push({ name, url: `grpc://${started.address}`, open: `${started.address} (internal: not reachable through the gateway)`, stop: () => started.stop() })
  }
  return addresses
}

/**
 * Starts a service of another stack as a child process, with what it needs to speak the
 * protocol in its environment. Its program missing (e.g. no python3) is not fatal: a
 * one-line notice, and everything else starts without it.
 */
async function startCommandPart({ configFile, config, name, command, port, env, log }: { configFile: string; config: GatewayConfig; name: string; command: string[]; port: number; env: NodeJS.ProcessEnv; log: string | undefined }): Promise<Running | undefined> {
  const dataDir = resolve(env.DX_DATA_DIR ?? 'data')
  const gatewayUrl = env.DX_GATEWAY_URL ?? config.gateway.publicUrl ?? `http://localhost:${config.gateway.port}`
  const childEnv: NodeJS.ProcessEnv = {
    DX_SECRET: loadSecret({ env, dataDir }),
    DX_DATA_DIR: dataDir,
    DX_GATEWAY_URL: gatewayUrl,
    DX_GATEWAY_INTERNAL_URL: env.DX_GATEWAY_INTERNAL_URL ?? `http://127.0.0.1:${config.gateway.port}`,
    ...(log ? { DX_LOG_LEVEL: log } : {}),
  }
  try {
    const started = await startCommandService({ name, command, port, cwd: dirname(resolve(configFile)), env: childEnv })
    return { name, url: started.url, open: `http://localhost:${port}/${name}`, stop: () => started.stop() }
  } catch (error) {
    if (!(error instanceof CommandNotFoundError)) throw explainListenError(error, `service "${name}"`, port)
    process.stderr.write(`distributex: ${name} not started: ${error.message}; install it to run ${name} (the rest runs without it, its widget shows as unavailable).\n`)
    return undefined
  }
}

/** Fails fast, with what to do, when the broker cannot be reached (instead of waiting on it forever). */
/** The own origins of the services run by a command, as a browser on this machine opens them. */
function commandServiceOrigins(config: GatewayConfig, env: NodeJS.ProcessEnv): string[] {
  return Object.entries(config.services)
    .filter(([, service]) => !service.module && service.command)
    .flatMap(([name, service]) => {
      const port = service.port ?? Number(new URL(serviceUrl(name, service, env)).port)
      return [`http://localhost:${port}`, `http://127.0.0.1:${port}`]
    })
}

async function checkBus(bus: Bus, env: NodeJS.ProcessEnv, timeoutMs = 5000): Promise<void> {
  try {
    await bus.read('dx.members', { limit: 1, signal: AbortSignal.timeout(timeoutMs) })
  } catch (cause) {
    const reason = (cause as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (cause as Error).message
    throw new ConfigError(`cannot reach the event bus (${busDescription(bus, env)}): ${reason}. Check DISTRIBUTEX_BUS and that the broker is running.`, { cause })
  }
}

function busDescription(bus: Bus, env: NodeJS.ProcessEnv): string {
  if (bus.kind === 'memory') return 'in-process (set DISTRIBUTEX_BUS=redis://… or nats://… to share it between processes)'
  const url = env.DISTRIBUTEX_BUS ?? ''
  return `${bus.kind} at ${url.replace(/\/\/[^@/]*@/, '//***@')}`
}

/** Stops in reverse start order: the gateway first, so no request reaches a stopped service. */
export async function stopAll(running: Running[], partTimeoutMs = 5000): Promise<void> {
  for (const part of [...running].reverse()) {
    // A part that cannot stop cleanly (e.g. a bus whose broker is gone) must not hold the others.
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, partTimeoutMs)))
    await Promise.race([part.stop().catch(() => undefined), timeout])
    clearTimeout(timer)
  }
}
