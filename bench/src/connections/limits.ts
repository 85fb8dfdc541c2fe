/**
 * What this machine lets one process hold, checked before the run: open files
 * (every connection is a socket, so 100,000 connections need more than 100,000
 * file descriptors in the server process) and source ports (about 28,000 per
 * source address towards one server port). Children are started through a
 * shell that raises their soft limit to the hard one; when the hard limit is
 * too low the run says what to type, and runs at the size that fits.
 */
import { readFileSync } from 'node:fs'
import { fileLimit } from './server-status.js'

/** Files a server or client process uses besides its connections (Redis, pipes, the loaded code). */
export const RESERVED_FILES = 300

export interface FileLimits {
  /** What a child gets: the hard limit (bounded by fs.nr_open). */
  usable: number
  soft: number
  hard: number
}

function nrOpen(): number {
  try {
    return Number(readFileSync('/proc/sys/fs/nr_open', 'utf8').trim()) || 1_048_576
  } catch {
    return 1_048_576
  }
}

export function readFileLimits(): FileLimits {
  const limits = fileLimit() ?? { soft: 1024, hard: 1024 }
  const cap = nrOpen()
  return { soft: limits.soft, hard: limits.hard, usable: Math.min(limits.hard, cap) }
}

/** Child options that run node through `sh`, raising the open-files limit first. */
export function raisedLimitExec(files: number, nodeFlags: string[] = []): { execPath: string; execArgv: string[] } {
  const flags = ['--expose-gc', ...nodeFlags].map((flag) => `'${flag.replaceAll("'", "'\\''")}'`).join(' ')
  return {
    execPath: '/bin/sh',
    execArgv: ['-c', `ulimit -n ${files} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "${process.execPath}" ${flags} "$0" "$@"`],
  }
}

/** The message printed when one process may not hold the connections asked for. */
export function tooFewFiles(limits: FileLimits, needed: number, connections: number): string {
  const want = Math.max(needed * 2, 1_048_576)
  return [
    `The open-files limit here is ${limits.hard.toLocaleString('en-US')} (hard; soft ${limits.soft.toLocaleString('en-US')}), but one server process`,
    `with ${connections.toLocaleString('en-US')} connections needs about ${needed.toLocaleString('en-US')}. Raise the hard limit, then run again:`,
    `  as root, in this shell:   ulimit -Hn ${want} && ulimit -n ${want} && npm run bench:connections`,
    `  in Docker:                docker run --ulimit nofile=${want}:${want} ...`,
    `  under systemd:            LimitNOFILE=${want} in the unit`,
    `  for a login user:         "* hard nofile ${want}" in /etc/security/limits.conf, then log in again`,
    `(fs.nr_open, the kernel's ceiling for one process, is ${nrOpen().toLocaleString('en-US')}: raise it with sysctl -w fs.nr_open=... if it is lower.)`,
  ].join('\n')
}

/** Loopback source addresses 127.0.0.2 … enough for `connections` at `perAddress` ports each. */
export function sourceAddresses(connections: number, perAddress = 25_000): string[] {
  const count = Math.max(2, Math.ceil(connections / perAddress))
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`)
}
