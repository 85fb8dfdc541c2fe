/**
 * The paced runs of one scenario: every rate with the default write delay, and
 * for distributex the other write delays at the curve's rates. A rate whose
 * deliveries would exceed what the machine can carry runs with fewer clients
 * (1000 messages/s to 50 clients, as many deliveries as 100/s to 500); runs are
 * ordered so clients are only ever removed.
 */
import type { Flavor } from './clients-protocol.js'
import type { Settings } from './settings.js'

export interface PacedStep {
  rate: number
  clients: number
  /** distributex's write delay during the run; undefined for Socket.IO. */
  windowMs: number | undefined
}

export function pacedPlan(peer: Flavor, settings: Settings): PacedStep[] {
  const clientsAt = (rate: number) => Math.max(1, Math.min(settings.clients, Math.floor(settings.pacedMaxDeliveries / rate)))
  const steps: PacedStep[] = settings.pacedRates.map((rate) => ({ rate, clients: clientsAt(rate), windowMs: peer === 'distributex' ? settings.writeDelayMs : undefined }))
  if (peer === 'distributex') {
    for (const rate of settings.curveRates) {
      for (const windowMs of settings.curveWindows) {
        if (windowMs !== settings.writeDelayMs || !settings.pacedRates.includes(rate)) steps.push({ rate, clients: clientsAt(rate), windowMs })
      }
    }
  }
  return steps.sort((a, b) => b.clients - a.clients || a.rate - b.rate || (a.windowMs ?? 0) - (b.windowMs ?? 0))
}
