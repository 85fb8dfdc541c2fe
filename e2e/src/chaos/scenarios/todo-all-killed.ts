/**
 * @module todo-all-killed
 * Scenario 5: both todo processes SIGKILLed under load. Todo really is down:
 * its widget should show "currently unavailable" at once, on open pages and on
 * a page opened now, without the page waiting for the widget timeout; chat
 * must not suffer. Todo sends refused meanwhile are expected (not counted as 5xx).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { describeLoads, loadHomePages } from '../home-page.js'
import { allPagesTold, now, seconds, underLoad, type Scenario } from '../scenario.js'

export const todoAllKilled: Scenario = {
  name: 'todo-all-kill',
  title: 'every todo process SIGKILLed under load, restarted later',
  bus: 'redis',
  run: async (context, index) => {
    let killedAt = 0
    let backAt = 0
    const notes: string[] = []
    const outcome = await underLoad(context, index, async () => {
      const todos = context.chaos.cluster.services.todo ?? []
      const before = await loadHomePages(context.chaos.gateways, 2)
      const start = now()
      killedAt = start
      await Promise.all(todos.map((todo) => todo.kill()))
      const during = await loadHomePages(context.chaos.gateways, 4)
      await sleep(Math.max(0, context.settings.downMs - (now() - start)))
      const told = allPagesTold(context, 'todo', 'down', start)
      await Promise.all(todos.map((todo) => todo.start()))
      const end = now()
      backAt = end
      notes.push(
        `home page before: ${describeLoads(before)}; right after the kill: ${describeLoads(during, 'todo')}`,
        told ? `pages told todo is down ${seconds(told.first)}–${seconds(told.last)} after the kill (${told.pages} of ${context.chaos.pages.length} pages)` : 'no page was told todo is down',
      )
      return { fault: { start, end }, expected: [{ kind: 'todo', start, end }], notes }
    })
    const back = allPagesTold(context, 'todo', 'up', backAt)
    outcome.notes.push(back ? `pages told todo is back ${seconds(back.first)}–${seconds(back.last)} after the restart (${back.pages} pages)` : 'no page was told todo is back')
    const unavailable = context.chaos.pages.filter((page) => page.events.some((event) => event.type === 'rerender' && event.service === 'todo' && event.at >= killedAt)).length
    outcome.notes.push(`${unavailable} pages re-rendered the todo widget; ${outcome.row.refusedWhileDown} todo sends refused while todo had no process (expected)`)
    return outcome
  },
}
