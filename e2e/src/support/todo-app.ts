/**
 * @module todo-app
 * The gateway and the Todo service running in this process on free ports, with
 * the Todo service stoppable and restartable on the same port.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createGateway, parseGatewayConfig, type Gateway, type GatewayConfig } from '@distributex/gateway'
import { todoService } from '@distributex/todo'
import type { RunningService } from '@distributex/sdk'
import { freePort } from '@distributex/testkit'
import { createBus, type Bus } from '@distributex/bus'

export const WIDGET_TIMEOUT_MS = 800

export interface TodoApp {
  bus: Bus
  gateway: Gateway
  todoPort: number
  todo: RunningService | undefined
  startTodo(): Promise<void>
  stopTodo(): Promise<void>
  /** Stops the gateway and starts a new one on the same port (as a restart would). */
  restartGateway(): Promise<void>
  close(): Promise<void>
}

/**
 * Starts both on one bus (in-process by default, or `busUrl`); with `todoRunning: false`
 * the gateway starts while Todo is down (it has never seen its manifest).
 */
export async function startTodoApp({ todoRunning = true, busUrl, dev = false }: { todoRunning?: boolean; busUrl?: string; dev?: boolean } = {}): Promise<TodoApp> {
  const bus = createBus(busUrl)
  const gatewayPort = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'dx-e2e-'))
  const env = { DX_SECRET: 'e'.repeat(48), ...(dev ? { DX_DEV: '1' } : {}) }
  const todoPort = await freePort()
  const config: GatewayConfig = parseGatewayConfig({
    gateway: { port: 0, widgetTimeoutMs: WIDGET_TIMEOUT_MS, healthIntervalMs: 500 },
    services: { todo: { url: `http://127.0.0.1:${todoPort}` } },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'todo', widget: 'list' }] }],
  })
  const app: TodoApp = {
    bus,
    gateway: undefined as unknown as Gateway,
    todoPort,
    todo: undefined,
    async startTodo() {
      app.todo = await todoService.start({ port: todoPort, dataDir, env, logLevel: 'silent', databaseUrl: undefined, bus })
    },
    async stopTodo() {
      await app.todo?.stop()
      app.todo = undefined
    },
    async restartGateway() {
      await app.gateway.stop()
      app.gateway = await createGateway(config, { port: gatewayPort, env, dataDir, logLevel: 'silent', bus })
      await app.gateway.start()
    },
    async close() {
      await app.gateway.stop()
      await app.stopTodo()
      await bus.close()
    },
  }
  if (todoRunning) await app.startTodo()
  app.gateway = await createGateway(config, { port: gatewayPort, env, dataDir, logLevel: 'silent', bus })
  await app.gateway.start()
  return app
}
