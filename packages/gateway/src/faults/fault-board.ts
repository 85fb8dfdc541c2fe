/**
 * @module fault-board
 * The faults an operator switched on from this gateway, per service or per
 * process, and what each process said when they were sent to it. The gateway
 * does not inject anything itself: it sends each process its faults
 * (`PUT /_dx/faults`, protocol credential), so every gateway node sees the
 * same misbehaving process; it sends them again every round while any are on,
 * so a restarted process picks them up again.
 */
import { FAULTS_PATH, NO_FAULTS, faultsCredential, hasFaults, type Faults } from '@distributex/protocol'
import type { FastifyBaseLogger } from 'fastify'
import type { ServiceEntry, ServiceRegistry } from '../registry/service-registry.js'

export interface FaultTarget {
  service: string
  /** A process's address as the gateway knows it; undefined: every process of the service. */
  process: string | undefined
}

export interface ProcessFaults {
  service: string
  process: string
  faults: Faults
  /** What the process answered the last time its faults were sent. */
  delivery: string
}

const SEND_TIMEOUT_MS = 2000

export class FaultBoard {
  /** Keyed by service, then by process address ('' for the whole service). */
  readonly #set = new Map<string, Map<string, Faults>>()
  readonly #delivery = new Map<string, string>()
  readonly #registry: ServiceRegistry
  readonly #secret: string
  readonly #log: FastifyBaseLogger
  #timer: NodeJS.Timeout | undefined

  constructor(options: { registry: ServiceRegistry; secret: string; log: FastifyBaseLogger }) {
    this.#registry = options.registry
    this.#secret = options.secret
    this.#log = options.log
  }

  /** The faults one process obeys: its own, else its service's. */
  faultsFor(service: string, process: string): Faults {
    const entries = this.#set.get(service)
    return entries?.get(process) ?? entries?.get('') ?? NO_FAULTS
  }

  /** Switches faults on (or off, with `NO_FAULTS`) and sends them to the processes concerned. */
  async set(target: FaultTarget, faults: Faults): Promise<ProcessFaults[]> {
    const entries = this.#set.get(target.service) ?? new Map<string, Faults>()
    if (target.process === undefined) entries.clear()
    if (hasFaults(faults)) entries.set(target.process ?? '', faults)
    else entries.delete(target.process ?? '')
    if (entries.size) this.#set.set(target.service, entries)
    else this.#set.delete(target.service)
    this.#log.warn({ service: target.service, process: target.process, faults }, hasFaults(faults) ? 'faults switched on' : 'faults switched off')
    const entry = this.#registry.get(target.service)
    if (entry) await this.#send(entry)
    return this.list()
  }

  /** Every process with faults on, and what it said. */
  list(): ProcessFaults[] {
    return [...this.#set.keys()].flatMap((service) => {
      const entry = this.#registry.get(service)
      return (entry?.urls ?? []).flatMap((process) => {
        const faults = this.faultsFor(service, process)
        return hasFaults(faults) ? [{ service, process, faults, delivery: this.#delivery.get(`${service} ${process}`) ?? 'not sent yet' }] : []
      })
    })
  }

  async #send(entry: ServiceEntry): Promise<void> {
    const authorization = `Bearer ${faultsCredential(this.#secret, entry.name)}`
    await Promise.all(
      entry.urls.map(async (url) => {
        const key = `${entry.name} ${url}`
        try {
          const response = await fetch(`${url}${FAULTS_PATH}`, {
            method: 'PUT',
            headers: { authorization, 'content-type': 'application/json' },
            body: JSON.stringify(this.faultsFor(entry.name, url)),
            signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
          })
          await response.body?.cancel()
          this.#delivery.set(key, response.ok ? 'obeys them' : response.status === 404 ? 'does not take faults (answered 404: not built on the SDK?)' : `refused them (${response.status})`)
        } catch (error) {
          this.#delivery.set(key, `could not be reached (${(error as Error).message})`)
        }
      }),
    )
  }

  /** Sends the faults again every `intervalMs` while any are on (a restarted process forgets them). */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => {
      for (const service of this.#set.keys()) {
        const entry = this.#registry.get(service)
        if (entry) void this.#send(entry)
      }
    }, intervalMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
  }
}
