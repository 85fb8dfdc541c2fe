/**
 * @module publish-by-topic
 * How the outbox relay publishes a batch: each topic's rows in order, the
 * topics side by side. A batch then costs about one round trip per row of its
 * busiest topic instead of one per row, and a row the bus refuses holds back
 * the later rows of its own topic only, so order per topic holds whatever the
 * bus does with the others.
 */

/**
 * Calls `publish` for every topic's rows in order, the topics concurrently. A row's
 * chain stops at the first `publish` that resolves false. Answers the rows done.
 */
export async function publishByTopic<R extends { topic: string }>(rows: R[], publish: (row: R) => Promise<boolean>): Promise<Set<R>> {
  const byTopic = new Map<string, R[]>()
  for (const row of rows) {
    const chain = byTopic.get(row.topic)
    if (chain) chain.push(row)
    else byTopic.set(row.topic, [row])
  }
  const done = new Set<R>()
  await Promise.all(
    [...byTopic.values()].map(async (chain) => {
      for (const row of chain) {
        if (!(await publish(row))) return
        done.add(row)
      }
    }),
  )
  return done
}
