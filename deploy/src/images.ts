/**
 * @module images
 * `docker build` for every image of a deployment, one at a time (a build takes
 * a core), at low priority. The parts' images come from deploy/.build/<part>
 * (stage-context); the infrastructure images (load balancer, Redis, PostgreSQL)
 * from deploy/images itself.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import type { DeployPart } from './deploy-parts.js'

export const INFRA_IMAGES = ['nginx', 'redis', 'postgres'] as const
export type InfraImage = (typeof INFRA_IMAGES)[number]

export interface BuildSettings {
  readonly root: string
  readonly tag: string
  /** BASE_IMAGE; the Dockerfile's default (the official image) when absent. */
  readonly baseImage?: string
  /** RUNTIME_IMAGE of the Node.js images (what the part runs on); the Dockerfile's default when absent. */
  readonly runtimeImage?: string
  /** `--network none`: the build must find everything in its base and context. */
  readonly offline?: boolean
}

/** The arguments of `docker build` for a part. */
export function buildArgs(part: DeployPart, settings: BuildSettings): string[] {
  return [
    '-f', join(settings.root, 'deploy', 'images', part.dockerfile),
    '--build-arg', `SERVICE=${part.name}`,
    ...(part.main ? ['--build-arg', `MAIN=${part.main}`] : []),
    ...(part.health !== 'http' ? ['--build-arg', `HEALTH=${part.health}`] : []),
    ...(settings.runtimeImage && part.dockerfile === 'node.Dockerfile' ? ['--build-arg', `RUNTIME_IMAGE=${settings.runtimeImage}`] : []),
    ...common(settings),
    join(settings.root, 'deploy', '.build', part.name),
  ]
}

/** The arguments of `docker build` for an infrastructure image. */
export function infraBuildArgs(image: InfraImage, settings: BuildSettings): string[] {
  return ['-f', join(settings.root, 'deploy', 'images', `${image}.Dockerfile`), ...common(settings), join(settings.root, 'deploy', 'images')]
}

function common(settings: BuildSettings): string[] {
  return [
    ...(settings.baseImage ? ['--build-arg', `BASE_IMAGE=${settings.baseImage}`] : []),
    ...(settings.offline ? ['--network', 'none'] : []),
    '-t', settings.tag,
  ]
}

/** Runs a command at low priority; rejects with its last output lines when it fails. */
export function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; nice?: boolean; input?: string } = {}): Promise<string> {
  const [program, programArgs] = options.nice ? ['nice', ['-n', '10', command, ...args]] : [command, [...args]]
  return new Promise((resolve, reject) => {
    const child = spawn(program, programArgs, { env: options.env ?? process.env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    // A command that exits before reading its input closes the pipe (EPIPE): its exit status says what happened.
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(options.input)
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(output)
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.split('\n').slice(-30).join('\n')}`))
    })
  })
}
