/**
 * The targets of composer-only mode (issue 19, acceptance 3): with the fragments
 * served by nginx, the gateway's CPU per page is at most a third of Podium's and
 * at most twice nginx SSI's. One line per target, "met" or "NOT MET".
 */
import type { ComposerResult } from './measure.js'

const AGAINST: Array<{ peer: string; at_most: number; label: string }> = [
  { peer: 'podium', at_most: 1 / 3, label: "at most a third of Podium's" },
  { peer: 'nginx-ssi', at_most: 2, label: "at most 2x nginx SSI's" },
]

export function composerOnlyTargets(results: ComposerResult[]): string[] {
  const cpu = (name: string) => {
    const result = results.find((r) => r.name === name)
    return result?.status === 'measured' ? result.cpu.composerMsPerPage : undefined
  }
  const ours = cpu('distributex')
  const lines = ['', 'targets (composer-only): distributex CPU per page']
  for (const { peer, at_most, label } of AGAINST) {
    const theirs = cpu(peer)
    if (ours === undefined || theirs === undefined) {
      lines.push(`  NOT MET  ${label}: not measured (${ours === undefined ? 'distributex' : peer} has no CPU figure)`)
      continue
    }
    const ratio = ours / theirs
    lines.push(`  ${ratio <= at_most ? 'met    ' : 'NOT MET'}  ${label}: ${ours.toFixed(3)} ms against ${theirs.toFixed(3)} ms = ${ratio.toFixed(2)}x`)
  }
  // The idealised minimal composer against the same peers: what any Node.js composer could reach here.
  const floor = cpu('minimal-node')
  if (floor !== undefined) {
    const against = AGAINST.flatMap(({ peer }) => {
      const theirs = cpu(peer)
      return theirs === undefined ? [] : [`${(floor / theirs).toFixed(2)}x ${peer}`]
    })
    lines.push(`  (idealised minimal Node.js composer: ${floor.toFixed(3)} ms = ${against.join(', ')}; distributex = ${ours === undefined ? '-' : (ours / floor).toFixed(2)}x it)`)
  }
  return lines
}
