/**
 * @module network-probe
 * Tries TCP connections from inside a running container to a list of
 * addresses, all at once, each given two seconds: bash's /dev/tcp, so it works
 * in every image (Node, Python, nginx, Redis, PostgreSQL) without extra tools.
 */
import type { ComposeProject } from './compose-project.js'

const SCRIPT = 'for target in "$@"; do (if timeout 2 bash -c "exec 3<>/dev/tcp/${target%:*}/${target##*:}" 2>/dev/null; then echo "open $target"; else echo "closed $target"; fi) & done; wait'

/** The targets (`ip:port`) that accepted a connection from inside `container`. */
export async function openFrom(project: ComposeProject, container: string, targets: readonly string[]): Promise<Set<string>> {
  const output = await project.exec(container, ['bash', '-c', SCRIPT, 'probe', ...targets])
  return new Set(output.split('\n').filter((line) => line.startsWith('open ')).map((line) => line.slice(5)))
}
