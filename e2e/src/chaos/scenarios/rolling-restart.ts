/**
 * @module rolling-restart
 * Scenario 7: every process restarted gracefully, one after the other, as an
 * orchestrator rolls out a new version: SIGTERM, wait for the exit, start it
 * again, wait until it answers, then the next (gateways first, then chat, then
 * todo). The other process of each pair serves throughout, so no send should
 * fail and nothing accepted may be lost live, including what a stopping
 * process accepted last and left in its outbox.
 */
import { now, seconds, underLoad, type Scenario } from '../scenario.js'

export const rollingRestart: Scenario = {
  name: 'rolling-restart',
  title: 'every gateway, chat and todo process restarted with SIGTERM, one after the other, under load',
  bus: 'redis',
  run: async (context, index) =>
    underLoad(context, index, async () => {
      const { cluster } = context.chaos
      const order = [...cluster.gateways, ...(cluster.services.chat ?? []), ...(cluster.services.todo ?? [])]
      const notes: string[] = []
      const start = now()
      for (const process of order) {
        const stopping = now()
        await process.stop()
        const stopped = now()
        await process.start()
        notes.push(`${process.label}: stopped in ${seconds(stopped - stopping)}, answering again ${seconds(now() - stopped)} later`)
      }
      return { fault: { start, end: now() }, notes }
    }),
}
