/**
 * CPU time used by other processes (a composer, the fragment servers), read
 * from /proc. On a small machine every process of the bench shares the same
 * cores, so CPU per page says more about a composer than req/s alone, and it
 * shows when the fragment servers, not the composer, were the limit, or when
 * something else on the machine was busy during a run.
 * Linux only: elsewhere the numbers are simply not reported.
 */
import { readFileSync } from 'node:fs'

/** /proc reports in USER_HZ ticks, 100 per second on Linux. */
const TICKS_PER_SECOND = 100

/** CPU seconds (user + system) the process has used so far, or undefined when unknown. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const utime = Number(fields[11])
    const stime = Number(fields[12])
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / TICKS_PER_SECOND : undefined
  } catch {
    return undefined
  }
}

/**
 * CPU seconds all processes on the machine have run (user and system time, all cores), or undefined when unknown.
 * Interrupt time is left out: the loopback traffic of the bench itself is counted there, under no process.
 */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? ''
    // cpu  user nice system idle iowait irq softirq steal ...
    const ticks = line.trim().split(/\s+/).slice(1, 4).map(Number)
    if (ticks.length < 3 || ticks.some((tick) => !Number.isFinite(tick))) return undefined
    const [user = 0, nice = 0, system = 0] = ticks
    return (user + nice + system) / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** Total CPU seconds of several processes; undefined if any is unknown. */
export function totalCpuSeconds(pids: readonly number[]): number | undefined {
  let total = 0
  for (const pid of pids) {
    const seconds = cpuSeconds(pid)
    if (seconds === undefined) return undefined
    total += seconds
  }
  return total
}

export interface CpuReading {
  /** Wall-clock seconds between start and stop. */
  wallSeconds: number
  /** CPU seconds each group used meanwhile (this process as "self", the whole machine as "machine"); undefined where unknown. */
  used: Record<string, number | undefined>
}

/** Starts a stopwatch over the CPU of groups of processes and of this one; call the result to stop it. */
export function cpuMeter(groups: Record<string, readonly number[]>): () => CpuReading {
  const wallStart = performance.now()
  const selfStart = process.cpuUsage()
  const machineStart = machineBusySeconds()
  const start = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, totalCpuSeconds(pids)]))
  return () => {
    const self = process.cpuUsage(selfStart)
    const machineEnd = machineBusySeconds()
    const used: Record<string, number | undefined> = {
      self: (self.user + self.system) / 1e6,
      machine: machineStart === undefined || machineEnd === undefined ? undefined : machineEnd - machineStart,
    }
    for (const [name, pids] of Object.entries(groups)) {
      const before = start[name]
      const after = totalCpuSeconds(pids)
      used[name] = before === undefined || after === undefined ? undefined : after - before
    }
    return { wallSeconds: (performance.now() - wallStart) / 1000, used }
  }
}

/** Share of one core each part of the bench used (1 = one core busy); undefined where unknown. */
export interface CpuShares {
  composer: number | undefined
  fragmentServers: number | undefined
  loadGenerator: number | undefined
  /** Everything else running on the machine meanwhile: a high share means the numbers are disturbed. */
  others: number | undefined
  /** Composer CPU milliseconds per page served. */
  composerMsPerPage: number | undefined
}

/** Reads a meter over groups `composer` and `fragments` that ran while `pages` pages were served. */
export function cpuShares({ wallSeconds, used }: CpuReading, pages: number): CpuShares {
  const { machine, composer, fragments, self } = used
  const share = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds / wallSeconds)
  const known = machine !== undefined && composer !== undefined && fragments !== undefined && self !== undefined
  return {
    composer: share(composer),
    fragmentServers: share(fragments),
    loadGenerator: share(self),
    others: known ? share(Math.max(0, machine - composer - fragments - self)) : undefined,
    composerMsPerPage: composer === undefined || pages === 0 ? undefined : (composer * 1000) / pages,
  }
}
