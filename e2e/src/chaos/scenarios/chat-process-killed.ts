/**
 * @module chat-process-killed
 * Scenario 4: one of the two chat processes SIGKILLed under load, started again
 * later. The other process is healthy the whole time, so no send should fail
 * and no page should be told chat is down.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { failureSpan, now, seconds, underLoad, type Scenario } from '../scenario.js'

export const chatProcessKilled: Scenario = {
  name: 'chat-kill',
  title: 'one of two chat processes SIGKILLed under load, restarted later',
  bus: 'redis',
  run: async (context, index) => {
    const outcome = await underLoad(context, index, async () => {
      const chat = context.chaos.cluster.services.chat?.[0]
      if (!chat) throw new Error('the cluster has no chat process')
      const start = now()
      await chat.kill()
      await sleep(context.settings.downMs)
      await chat.start()
      const end = now()
      return { fault: { start, end }, notes: [`chat#1 down for ${seconds(end - start)}, chat#2 up throughout`] }
    })
    const span = failureSpan(outcome)
    if (span) outcome.notes.push(span)
    return outcome
  },
}
