/**
 * @module presence-view
 * Who is in one channel, merged from every node's presence events (presence.ts):
 * a person is here while at least one node vouches for them, and each node's
 * word expires `PRESENCE_TTL_MS` after it was last heard, so a dead node's
 * people leave by themselves. A join or a listed beat marks, a leave or a
 * listed beat that omits them unmarks, a beat without its list only keeps that
 * node's people alive. The one merge rule, kept by every hub node (for its
 * browsers) and by any service that follows presence itself (Chat); what each
 * does with a person arriving or leaving is theirs (`onChange`).
 */
import { PRESENCE_TTL_MS, type Person, type PresenceEvent } from './presence.js'

export type PresenceChange = 'joined' | 'left'

export class PresenceView {
  /** person id → the person and, per node that vouches for them, when its word expires. */
  readonly #people = new Map<string, { person: Person; nodes: Map<string, number> }>()
  readonly #onChange: (change: PresenceChange, person: Person) => void

  constructor(onChange: (change: PresenceChange, person: Person) => void = () => undefined) {
    this.#onChange = onChange
  }

  get size(): number {
    return this.#people.size
  }

  has(id: string): boolean {
    return this.#people.has(id)
  }

  people(): Person[] {
    return [...this.#people.values()].map((entry) => entry.person)
  }

  ids(): Set<string> {
    return new Set(this.#people.keys())
  }

  /**
   * Applies one event of the channel (a sync asks nodes to beat: nothing to merge).
   * Returns true when a beat without its list counts the node's people otherwise than this view:
   * something was missed, and the follower should ask for the lists (a sync).
   */
  apply(event: PresenceEvent, now = Date.now()): boolean {
    const expires = now + PRESENCE_TTL_MS
    switch (event.state) {
      case 'join':
        this.#mark(event.person, event.node, expires)
        return false
      case 'leave':
        this.#unmark(event.person.id, event.node)
        return false
      case 'beat': {
        if (!event.people) {
          const held = this.#keepAlive(event.node, expires)
          return event.count !== undefined && event.count !== held
        }
        const listed = new Set(event.people.map((person) => person.id))
        for (const [id, entry] of this.#people) if (entry.nodes.has(event.node) && !listed.has(id)) this.#unmark(id, event.node)
        for (const person of event.people) this.#mark(person, event.node, expires)
        return false
      }
      case 'sync':
        return false
    }
  }

  /** Lets go of every node's word that expired by `now`. */
  sweep(now = Date.now()): void {
    for (const [id, entry] of this.#people) {
      for (const [node, expires] of entry.nodes) if (expires < now) this.#unmark(id, node)
    }
  }

  /** Renews the node's word for each of its people; how many it holds here. */
  #keepAlive(node: string, expires: number): number {
    let held = 0
    for (const entry of this.#people.values()) {
      if (!entry.nodes.has(node)) continue
      entry.nodes.set(node, expires)
      held++
    }
    return held
  }

  #mark(person: Person, node: string, expires: number): void {
    const entry = this.#people.get(person.id)
    if (entry) {
      entry.nodes.set(node, expires)
      return
    }
    this.#people.set(person.id, { person, nodes: new Map([[node, expires]]) })
    this.#onChange('joined', person)
  }

  #unmark(id: string, node: string): void {
    const entry = this.#people.get(id)
    if (!entry?.nodes.delete(node) || entry.nodes.size > 0) return
    this.#people.delete(id)
    this.#onChange('left', entry.person)
  }
}
