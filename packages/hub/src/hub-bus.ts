/**
 * @module hub-bus
 * The slice of the event bus the live hub uses, as a structural type: the hub
 * works with any adapter (memory, Redis Streams, NATS JetStream, Kafka).
 */

export interface HubPosition {
  epoch: string
  offset: string
}

export interface HubBusMessage {
  topic: string
  position: HubPosition
  /** `traceparent`: the trace of the request that published it (tracing on), continued by the delivery span. */
  envelope: { type: string; source: string; time: string; traceparent?: string | undefined; data: unknown }
}

export interface HubSubscription {
  stop(): Promise<void>
}

export interface HubBus {
  publish(topic: string, event: { type: string; source: string; traceparent?: string | undefined; data: unknown }, options?: { retainForMs?: number }): Promise<unknown>
  tail(topic: string, options: { after?: HubPosition; handler(message: HubBusMessage): void; signal?: AbortSignal }): Promise<HubSubscription>
  read(topic: string, options: { after?: HubPosition; limit?: number }): Promise<{ messages: HubBusMessage[]; gap: boolean }>
}
