/**
 * A WebSocket client as small as one can be: a plain TCP socket, the upgrade
 * request written by hand, and a frame reader that keeps no buffer while a
 * connection is idle. The `ws` client costs an HTTP request object, a receiver
 * and a sender per connection; this costs a socket and one small object, so a
 * few client processes can hold 100,000 connections and the server, not the
 * clients, is what the connections bench measures. It answers pings (the
 * servers drop a client that does not) and masks its own frames with a zero
 * key, which RFC 6455 allows.
 */
import { connect, type Socket } from 'node:net'

const HEADER_END = Buffer.from('\r\n\r\n')
const OPCODE_TEXT = 0x1
const OPCODE_CLOSE = 0x8
const OPCODE_PING = 0x9
const OPCODE_PONG = 0xa

export interface RawWebSocketOptions {
  host: string
  port: number
  path: string
  localAddress: string
  headers?: Record<string, string>
  /** Each text message the server sends. */
  onText(socket: RawWebSocket, payload: Buffer): void
  onOpen(socket: RawWebSocket): void
  onClose(socket: RawWebSocket, reason: string): void
}

/** A client frame: FIN, the opcode, the mask bit with a zero key (so the payload goes as is). */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length
  const head = length < 126 ? Buffer.from([0x80 | opcode, 0x80 | length, 0, 0, 0, 0]) : Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff, 0, 0, 0, 0])
  return Buffer.concat([head, payload])
}

export class RawWebSocket {
  readonly socket: Socket
  #options: RawWebSocketOptions
  #pending: Buffer | undefined
  #upgraded = false
  #closed = false

  constructor(options: RawWebSocketOptions) {
    this.#options = options
    const headers = Object.entries(options.headers ?? {})
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')
    const request =
      `GET ${options.path} HTTP/1.1\r\nHost: ${options.host}:${options.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n`
    this.socket = connect({ host: options.host, port: options.port, localAddress: options.localAddress, noDelay: true })
    this.socket.on('connect', () => this.socket.write(request))
    this.socket.on('data', (chunk: Buffer) => this.#data(chunk))
    this.socket.on('error', (error) => this.#close((error as NodeJS.ErrnoException).code ?? error.message))
    this.socket.on('close', () => this.#close('closed by the server'))
  }

  sendText(text: string): void {
    if (!this.#closed) this.socket.write(clientFrame(OPCODE_TEXT, Buffer.from(text)))
  }

  close(): void {
    this.#closed = true
    this.socket.destroy()
  }

  #close(reason: string): void {
    if (this.#closed) return
    this.#closed = true
    this.socket.destroy()
    this.#options.onClose(this, reason)
  }

  #data(chunk: Buffer): void {
    let buffer = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk
    this.#pending = undefined
    if (!this.#upgraded) {
      const end = buffer.indexOf(HEADER_END)
      if (end < 0) {
        this.#pending = buffer
        return
      }
      const status = buffer.toString('latin1', 0, Math.min(end, 40))
      if (!status.startsWith('HTTP/1.1 101')) return this.#close(`upgrade refused: ${status.split('\r\n')[0]}`)
      this.#upgraded = true
      this.#options.onOpen(this)
      buffer = buffer.subarray(end + HEADER_END.length)
    }
    let offset = 0
    while (buffer.length - offset >= 2) {
      const first = buffer[offset] as number
      let length = (buffer[offset + 1] as number) & 0x7f
      let head = 2
      if (length === 126) {
        if (buffer.length - offset < 4) break
        length = buffer.readUInt16BE(offset + 2)
        head = 4
      } else if (length === 127) {
        if (buffer.length - offset < 10) break
        length = Number(buffer.readBigUInt64BE(offset + 2))
        head = 10
      }
      if (buffer.length - offset < head + length) break
      const payload = buffer.subarray(offset + head, offset + head + length)
      offset += head + length
      const opcode = first & 0x0f
      if (opcode === OPCODE_TEXT) this.#options.onText(this, payload)
      else if (opcode === OPCODE_PING) this.socket.write(clientFrame(OPCODE_PONG, Buffer.from(payload)))
      else if (opcode === OPCODE_CLOSE) return this.#close(`closed by the server (${payload.length >= 2 ? payload.readUInt16BE(0) : 'no code'})`)
    }
    // Only a frame cut by the TCP chunk is kept (copied, so the chunk it came in can be freed).
    if (offset < buffer.length) this.#pending = Buffer.from(buffer.subarray(offset))
  }
}
