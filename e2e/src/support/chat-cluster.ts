/**
 * @module chat-cluster
 * Two chat processes and two gateway processes, started with the distributex
 * command line on a real broker and PostgreSQL, as `distributex cluster` runs
 * them; each can be killed (SIGKILL) and started again on its port.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, waitFor } from '@distributex/testkit'

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)))
const bin = join(repoRoot, 'packages/cli/bin/distributex.js')

export interface ClusterProcess {
  label: string
  port: number
  url: string
  start(): Promise<void>
  kill(): Promise<void>
  output(): string
}

export interface ChatCluster {
  chats: ClusterProcess[]
  gateways: ClusterProcess[]
  close(): Promise<void>
}

export const CLUSTER_SECRET = 'k'.repeat(48)

export async function startChatCluster({ busUrl, databaseUrl }: { busUrl: string; databaseUrl: string }): Promise<ChatCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'dx-chat-cluster-'))
  const configFile = join(dir, 'distributex.config.json')
  const chatPorts = [await freePort(), await freePort()]
  writeFileSync(
    configFile,
    JSON.stringify({
      gateway: { port: 4040, widgetTimeoutMs: 2000, healthIntervalMs: 500 },
      services: { chat: { port: chatPorts[0], module: join(repoRoot, 'services/chat/dist/index.js'), title: 'Chat' } },
      pages: [{ path: '/', title: 'Home', widgets: [{ service: 'chat', widget: 'room' }] }],
    }),
  )
  const env = {
    ...process.env,
    DX_SECRET: CLUSTER_SECRET,
    DX_DATA_DIR: dir,
    DISTRIBUTEX_BUS: busUrl,
    DATABASE_URL: databaseUrl,
    DX_SERVICE_CHAT_URL: chatPorts.map((port) => `http://127.0.0.1:${port}`).join(','),
    // Bots send in bursts here; the limit itself is tested elsewhere.
    DX_CHAT_RATE_LIMIT: '1000/1',
  }

  const part = (label: string, name: string, port: number, ready: string): ClusterProcess => {
    let child: ChildProcess | undefined
    let output = ''
    const url = `http://127.0.0.1:${port}`
    return {
      label,
      port,
      url,
      output: () => output,
      async start() {
        output = ''
        child = spawn(process.execPath, [bin, 'start', name, '--port', String(port), '--config', configFile, '--log-level', 'warn'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
        child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
        await waitFor(
          async () => {
            const response = await fetch(`${url}${ready}`).catch(() => undefined)
            return response?.ok
          },
          { timeoutMs: 20_000, intervalMs: 100, what: `${label} to answer; output:\n${output}` },
        )
      },
      async kill() {
        if (!child || child.exitCode !== null || child.signalCode !== null) return
        const exited = new Promise((resolve) => child?.once('exit', resolve))
        child.kill('SIGKILL')
        await exited
      },
    }
  }

  const chats = chatPorts.map((port, n) => part(`chat#${n + 1}`, 'chat', port, '/health'))
  const gateways = [part('gateway#1', 'gateway', await freePort(), '/'), part('gateway#2', 'gateway', await freePort(), '/')]
  const all = [...chats, ...gateways]
  try {
    await Promise.all(chats.map((chat) => chat.start()))
    await Promise.all(gateways.map((gateway) => gateway.start()))
  } catch (error) {
    await Promise.all(all.map((p) => p.kill()))
    throw error
  }
  return { chats, gateways, close: () => Promise.all(all.map((p) => p.kill())).then(() => undefined) }
}

/** Posts JSON to a chat process directly (as a bot would); resolves undefined when the process is unreachable. */
async function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> } | undefined> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).catch(() => undefined)
  if (!response) return undefined
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

/** A bot on one chat process: registers a nickname and answers a function that posts to a room through any process. */
export async function chatBot(chat: ClusterProcess, nickname: string) {
  const registered = await postJson(`${chat.url}/chat/api/sessions`, { nickname })
  if (registered?.status !== 201) throw new Error(`bot ${nickname} not registered: ${JSON.stringify(registered)}`)
  const token = String(registered.json.token)
  return {
    token,
    /** True when the message was accepted (stored and published). */
    async say(through: ClusterProcess, room: string, text: string): Promise<boolean> {
      const answer = await postJson(`${through.url}/chat/api/rooms/${room}/messages`, { text, clientId: text.replace(/[^A-Za-z0-9_-]/g, '-') }, token)
      return answer?.status === 201 || answer?.status === 200
    },
    async join(through: ClusterProcess, room: string): Promise<void> {
      const answer = await postJson(`${through.url}/chat/api/rooms/${room}/join`, {}, token)
      if (answer?.status !== 200) throw new Error(`bot ${nickname} could not join ${room}: ${JSON.stringify(answer)}`)
    },
  }
}
