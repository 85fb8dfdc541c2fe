/**
 * @module chat-cluster
 * Two chat processes and two gateway processes, started with the distributex
 * command line on a real broker and PostgreSQL, as `distributex cluster` runs
 * them (ports and secret from the shared harness, app.ts); each can be killed
 * (SIGKILL) and started again on its port.
 */
import { serviceModule, startCluster, type ClusterProcess } from './cluster.js'
import { E2E_SECRET, freePorts } from './app.js'

export type { ClusterProcess } from './cluster.js'

export interface ChatCluster {
  chats: ClusterProcess[]
  gateways: ClusterProcess[]
  close(): Promise<void>
}

export async function startChatCluster({ busUrl, databaseUrl }: { busUrl: string; databaseUrl: string }): Promise<ChatCluster> {
  const [chat1 = 0, chat2 = 0, gateway1 = 0, gateway2 = 0] = await freePorts(4)
  const cluster = await startCluster({
    busUrl,
    databaseUrl,
    secret: E2E_SECRET,
    services: { chat: { module: serviceModule('chat'), title: 'Chat', ports: [chat1, chat2] } },
    gatewayPorts: [gateway1, gateway2],
    gateway: { widgetTimeoutMs: 2000, healthIntervalMs: 500 },
    pages: [{ path: '/', title: 'Home', widgets: [{ service: 'chat', widget: 'room' }] }],
    // Bots send in bursts here; the limit itself is tested elsewhere.
    env: { DX_CHAT_RATE_LIMIT: '1000/1' },
  })
  return { chats: cluster.services.chat ?? [], gateways: cluster.gateways, close: cluster.close }
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
