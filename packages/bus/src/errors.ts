/**
 * @module errors
 * The bus's own error class; the other errors it throws come from @distributex/protocol.
 */
import { DxError } from '@distributex/protocol'

/** An envelope breaks the schema (on publish, or a foreign message read from a broker); the message names each broken field. */
export class EnvelopeError extends DxError {
  override name = 'EnvelopeError'
  constructor(message: string, options: { cause?: unknown; fields?: Record<string, unknown> } = {}) {
    super('DX_BUS_ENVELOPE_INVALID', message, options)
  }
}
