/**
 * @module todo-app
 * The gateway and the Todo service running in this process on free ports, with
 * the Todo service stoppable and restartable on the same port (the shared
 * harness, app.ts).
 */
import type { Gateway } from '@distributex/gateway'
import { todoService } from '@distributex/todo'
import type { RunningService } from '@distributex/sdk'
import type { Bus } from '@distributex/bus'
import { startApp } from './app.js'

export const WIDGET_TIMEOUT_MS = 800

export interface TodoApp {
  bus: Bus
  readonly gateway: Gateway
  todoPort: number
  readonly todo: RunningService | undefined
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
  const app = await startApp({
    services: { todo: { service: todoService, down: !todoRunning } },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'todo', widget: 'list' }] }],
    bus: busUrl,
    env: dev ? { DX_DEV: '1' } : {},
    gateway: { widgetTimeoutMs: WIDGET_TIMEOUT_MS },
  })
  return {
    bus: app.bus,
    get gateway() {
      return app.gateway
    },
    todoPort: app.port('todo'),
    get todo() {
      return app.service('todo')
    },
    startTodo: () => app.start('todo'),
    stopTodo: () => app.stop('todo'),
    restartGateway: () => app.restart('gateway'),
    close: () => app.close(),
  }
}
