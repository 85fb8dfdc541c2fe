/**
 * @module ports
 * Free TCP ports for tests that must know a port before a server starts
 * (e.g. to stop and restart a service on the same address). On a machine
 * shared by several test runs, `DX_TEST_PORTS=<first>-<last>` keeps every
 * port a test picks inside that range.
 */
import { createServer } from 'node:net'

/** Ports handed out by this process, not handed out again (the caller may not have bound it yet). */
const given = new Set<number>()

function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', (error: NodeJS.ErrnoException) => (port !== 0 && error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error)))
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') return reject(new Error('no port'))
      server.close(() => resolve(address.port))
    })
  })
}

/** The `DX_TEST_PORTS` range, or undefined when unset; throws when it is malformed. */
function portRange(): [number, number] | undefined {
  const value = process.env.DX_TEST_PORTS?.trim()
  if (!value) return undefined
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(value)
  const first = Number(match?.[1])
  const last = Number(match?.[2])
  if (!match || first < 1024 || last > 65535 || first > last) throw new Error(`DX_TEST_PORTS "${value}" is invalid: write <first>-<last>, e.g. 17000-17999`)
  return [first, last]
}

/** A free port on 127.0.0.1: from the OS, or inside `DX_TEST_PORTS` when set. */
export async function freePort(): Promise<number> {
  const range = portRange()
  if (!range) return (await listenOn(0))!
  const [first, last] = range
  const size = last - first + 1
  const start = Math.floor(Math.random() * size)
  for (let step = 0; step < size; step++) {
    const port = first + ((start + step) % size)
    if (given.has(port)) continue
    if ((await listenOn(port)) !== undefined) {
      given.add(port)
      return port
    }
  }
  throw new Error(`no free port left in DX_TEST_PORTS ${first}-${last}`)
}
