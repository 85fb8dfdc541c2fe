/**
 * @module double-http
 * The HTTP plumbing the GitHub double's handlers share: a JSON answer, and a
 * request body read as text up to a cap (GitHub refuses larger ones too).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Answers `status` with `body` as JSON, plus any `headers`. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  response.end(JSON.stringify(body))
}

/** The request body as UTF-8 text; throws once it passes `limit` bytes. */
export async function readText(request: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > limit) throw new Error('body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
