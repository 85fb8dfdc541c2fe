/**
 * @module compose-project
 * One `docker-compose` project (compose.yaml with the test overlay) as the
 * deploy tests drive it: up, wait for health, find a service's containers,
 * run a command inside one, kill one, take it down with its volumes and networks.
 */
import { run } from './images.js'

export interface ComposeProjectOptions {
  readonly name: string
  readonly files: readonly string[]
  readonly env: NodeJS.ProcessEnv
}

export interface ContainerState {
  readonly id: string
  readonly service: string
  readonly name: string
  readonly health: string | undefined
  readonly running: boolean
  readonly restarts: number
  readonly pid: number
  readonly user: string
  /** Its address on each network it is attached to. */
  readonly addresses: string[]
}

export class ComposeProject {
  readonly #options: ComposeProjectOptions

  constructor(options: ComposeProjectOptions) {
    this.#options = options
  }

  compose(args: readonly string[]): Promise<string> {
    return run('docker-compose', ['-p', this.#options.name, ...this.#options.files.flatMap((file) => ['-f', file]), ...args], { env: this.#options.env })
  }

  /** Starts everything (`--scale` per service) and waits until every container with a health check is healthy. */
  async up(scale: Record<string, number> = {}, timeoutMs = 240_000): Promise<void> {
    const up = () => this.compose(['up', '-d', '--no-build', ...Object.entries(scale).flatMap(([service, n]) => ['--scale', `${service}=${n}`])])
    await up().catch(async () => {
      // docker-compose 1.29 gives up on a dependency that is unhealthy for a moment (a slow first
      // start): let what runs settle, then bring up the rest.
      await this.waitHealthy(timeoutMs).catch(() => undefined)
      await up()
    })
    await this.waitHealthy(timeoutMs)
  }

  /** Waits until every container runs and every one with a health check is healthy. */
  async waitHealthy(timeoutMs = 120_000): Promise<ContainerState[]> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const states = await this.containers()
      const waiting = states.filter((state) => !state.running || (state.health !== undefined && state.health !== 'healthy'))
      if (states.length > 0 && waiting.length === 0) return states
      if (Date.now() > deadline) throw new Error(`not healthy after ${timeoutMs / 1000} s: ${waiting.map((s) => `${s.name} (${s.running ? s.health : 'not running'})`).join(', ')}\n${await this.compose(['logs', '--tail', '20']).catch((e: Error) => e.message)}`)
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }

  /** Every container of the project, or of one service. */
  async containers(service?: string): Promise<ContainerState[]> {
    const ids = (await run('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${this.#options.name}`, ...(service ? ['--filter', `label=com.docker.compose.service=${service}`] : [])])).split('\n').filter(Boolean)
    if (ids.length === 0) return []
    const inspected = JSON.parse(await run('docker', ['inspect', ...ids])) as Array<{
      Id: string
      Name: string
      RestartCount: number
      Config: { Labels: Record<string, string>; User: string }
      State: { Running: boolean; Pid: number; Health?: { Status: string } }
      NetworkSettings: { Networks: Record<string, { IPAddress: string }> }
    }>
    return inspected
      .map((c) => ({
        id: c.Id,
        service: c.Config.Labels['com.docker.compose.service'] ?? '',
        name: c.Name.replace(/^\//, ''),
        health: c.State.Health?.Status,
        running: c.State.Running,
        restarts: c.RestartCount,
        pid: c.State.Pid,
        user: c.Config.User,
        addresses: Object.values(c.NetworkSettings.Networks).map((n) => n.IPAddress).filter(Boolean),
      }))
      .sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Runs a command inside a container; resolves its output. */
  exec(container: string, command: readonly string[], input?: string): Promise<string> {
    return run('docker', ['exec', ...(input === undefined ? [] : ['-i']), container, ...command], input === undefined ? {} : { input })
  }

  /** Stops and removes everything the project made, volumes and networks included. */
  async down(): Promise<void> {
    await this.compose(['down', '--volumes', '--remove-orphans', '--timeout', '10'])
  }
}
