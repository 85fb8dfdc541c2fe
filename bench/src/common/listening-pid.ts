/**
 * The process listening on a local TCP port (a broker: redis-server,
 * nats-server), found through /proc, so the bench can read its CPU. Linux only,
 * and only where this user may read the other process's file descriptors;
 * otherwise undefined, and the figure is simply not reported.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>()
  const hex = port.toString(16).toUpperCase().padStart(4, '0')
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      // local_address is "ADDR:PORT" in hex; state 0A is LISTEN; the inode is the tenth field.
      if (fields[1]?.endsWith(`:${hex}`) && fields[3] === '0A' && fields[9]) inodes.add(fields[9])
    }
  }
  return inodes
}

export function listeningPid(port: number): number | undefined {
  const inodes = listeningInodes(port)
  if (inodes.size === 0) return undefined
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`))
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${entry}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry)
      } catch {
        // The descriptor closed meanwhile.
      }
    }
  }
  return undefined
}

/** The port of a broker URL (redis://host:6379, nats://host:4222), when it is on this machine. */
export function localPort(url: string, fallback: number): number | undefined {
  const parsed = new URL(url)
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(parsed.hostname)) return undefined
  return parsed.port ? Number(parsed.port) : fallback
}
