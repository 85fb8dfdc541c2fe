/**
 * One bench run on a setup: N people in one room, sending at a total rate R for
 * S seconds through the gateways (round robin), each receiving on their own
 * live connection. Latency is from the start of the send request to the
 * arrival on another person's socket.
 */
import { randomBytes } from 'node:crypto'
import { quantile } from '../common/stats.js'
import { ChatClient, marker } from './chat-client.js'
import type { ChatBenchSettings } from './settings.js'
import type { Setup } from './setups.js'

export interface ChatBenchResult {
  setup: string
  clients: number
  rate: number
  sent: number
  accepted: number
  acceptedPerSecond: number
  deliveries: number
  expected: number
  deliveriesPerSecond: number
  p50: number
  p99: number
  /** Sends not accepted, by reason. */
  refused: Record<string, number>
}

export async function measure(setup: Setup, settings: ChatBenchSettings, log: (line: string) => void): Promise<ChatBenchResult> {
  const id = randomBytes(3).toString('hex')
  const room = `Bench ${id}`
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  let lastArrival = 0
  const arrived = (receiver: number) => (client: number, seq: number, at: number) => {
    if (client === receiver) return
    const started = sentAt.get(`${client}:${seq}`)
    if (started === undefined) return
    latencies.push(at - started)
    lastArrival = at
  }
  const clients: ChatClient[] = []
  try {
    for (let index = 0; index < settings.clients; index++) {
      const gateway = setup.gateways[index % setup.gateways.length] ?? ''
      clients.push(await ChatClient.join({ index, gateway, nickname: `b${id}-${index}`, room, create: index === 0, arrived: arrived(index) }))
    }
    log(`  ${clients.length} people in the room on ${setup.gateways.length} gateway(s); sending ${settings.rate}/s for ${settings.seconds} s`)
    const total = Math.round(settings.rate * settings.seconds)
    const sends: Promise<string>[] = []
    const start = performance.now()
    for (let n = 0; n < total; n++) {
      const due = start + (n * 1000) / settings.rate
      const wait = due - performance.now()
      if (wait > 1) await new Promise((done) => setTimeout(done, wait))
      const client = clients[n % clients.length]!
      const seq = Math.floor(n / clients.length)
      sentAt.set(`${client.index}:${seq}`, performance.now())
      sends.push(client.send(marker(client.index, seq)))
    }
    const results = await Promise.all(sends)
    const sendSeconds = (performance.now() - start) / 1000
    const accepted = results.filter((result) => result === 'accepted').length
    const refused: Record<string, number> = {}
    for (const result of results) if (result !== 'accepted') refused[result] = (refused[result] ?? 0) + 1
    const expected = accepted * (clients.length - 1)
    // Let the last deliveries arrive (or give up after 5 s).
    const deadline = performance.now() + 5000
    while (latencies.length < expected && performance.now() < deadline) await new Promise((done) => setTimeout(done, 50))
    const deliverySeconds = ((lastArrival || performance.now()) - start) / 1000
    return {
      setup: setup.label,
      clients: clients.length,
      rate: settings.rate,
      sent: total,
      accepted,
      acceptedPerSecond: accepted / sendSeconds,
      deliveries: latencies.length,
      expected,
      deliveriesPerSecond: latencies.length / deliverySeconds,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      refused,
    }
  } finally {
    for (const client of clients) client.close()
  }
}
