/**
 * @module deploy-parts
 * The images a configuration needs: the gateway, one per TypeScript service
 * (`module`), one per Python service (`command` run with python3), one per
 * internal part (`internal`, e.g. the Ledger: gRPC, checked as such). A service
 * added to `distributex.config.json` gets its image with no other change.
 */
import { readFileSync } from 'node:fs'

export interface DeployPart {
  /** `gateway` or the service name. */
  readonly name: string
  /** Which Dockerfile under deploy/images builds it. */
  readonly dockerfile: 'node.Dockerfile' | 'python.Dockerfile'
  /** For a command service: the folder of its program, relative to the configuration. */
  readonly folder?: string
  /** For a command service: its program, relative to that folder. */
  readonly main?: string
  /** How its health check asks it: the protocol's HTTP endpoint, or (an internal part) an HTTP/2 handshake. */
  readonly health: 'http' | 'grpc'
}

interface ConfigFile {
  readonly services?: Record<string, { module?: string; command?: string[] }>
  readonly internal?: Record<string, { module?: string }>
}

/** Every part `configFile` deploys, the gateway first. */
export function deployParts(configFile: string): DeployPart[] {
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as ConfigFile
  const parts: DeployPart[] = [{ name: 'gateway', dockerfile: 'node.Dockerfile', health: 'http' }]
  for (const [name, service] of Object.entries(config.services ?? {})) {
    if (service.module) parts.push({ name, dockerfile: 'node.Dockerfile', health: 'http' })
    else if (service.command?.[0]?.startsWith('python') && service.command[1]) {
      const path = service.command[1].split('/')
      parts.push({ name, dockerfile: 'python.Dockerfile', folder: path.slice(0, -1).join('/'), main: path.at(-1) ?? '', health: 'http' })
    }
  }
  for (const [name, part] of Object.entries(config.internal ?? {})) {
    if (part.module) parts.push({ name, dockerfile: 'node.Dockerfile', health: 'grpc' })
  }
  return parts
}
