/** One line on the machine a bench ran on, printed above its table. */
import { availableParallelism, cpus, totalmem } from 'node:os'

export function describeMachine(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown cpu'
  const memory = `${Math.round(totalmem() / 1024 ** 3)} GiB`
  return `${availableParallelism()} cpus (${model}), ${memory}, node ${process.version}, ${process.platform}-${process.arch}`
}
