/**
 * @module websocket-frame
 * Builds an unmasked server-to-client WebSocket text frame (RFC 6455 §5.2).
 * The hub builds each message's frame once and writes the same bytes to every
 * subscribed socket: serializing once per node, not once per socket, is what
 * makes fan-out cheap.
 */

/** A complete text frame (FIN set, opcode 1) around `payload`. */
export function encodeTextFrame(payload: Buffer): Buffer {
  const length = payload.length
  let header: Buffer
  if (length < 126) {
    header = Buffer.allocUnsafe(2)
    header[1] = length
  } else if (length < 65_536) {
    header = Buffer.allocUnsafe(4)
    header[1] = 126
    header.writeUInt16BE(length, 2)
  } else {
    header = Buffer.allocUnsafe(10)
    header[1] = 127
    header.writeUInt32BE(Math.floor(length / 2 ** 32), 2)
    header.writeUInt32BE(length >>> 0, 6)
  }
  header[0] = 0x81
  return Buffer.concat([header, payload], header.length + length)
}
