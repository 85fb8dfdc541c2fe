/**
 * @module room-store
 * Rooms and who is in them: creating and listing rooms with their member
 * counts, and the membership each chat process flips with a compare-and-set.
 */
import { RoomExistsError } from './chat-errors.js'
import { AggregateStore, ONLINE_MS, type Member, type Room, type RoomTable } from './chat-model.js'

/** The rooms and members rows; rooms take their creation time from the shared clock. */
export class RoomStore extends AggregateStore {
  async createRoom(name: string, slug: string, createdBy: string): Promise<Room> {
    const row: RoomTable = { slug, name, created_by: createdBy, created_at: this.clock.stamp() }
    const inserted = await this.db.insertInto('rooms').values(row).onConflict((oc) => oc.column('slug').doNothing()).executeTakeFirst()
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) throw new RoomExistsError(slug)
    return { slug, name, createdAt: row.created_at, members: 0 }
  }

  /** A room without its member count (a cheap existence check on every message). */
  async findRoom(slug: string): Promise<Omit<Room, 'members'> | undefined> {
    const row = await this.db.selectFrom('rooms').select(['slug', 'name', 'created_at']).where('slug', '=', slug).executeTakeFirst()
    return row ? { slug: row.slug, name: row.name, createdAt: row.created_at } : undefined
  }

  async room(slug: string): Promise<Room | undefined> {
    return (await this.rooms([slug]))[0]
  }

  /** Rooms with how many people are in each, oldest first (or only those named). */
  async rooms(only?: string[]): Promise<Room[]> {
    let query = this.db
      .selectFrom('rooms')
      .leftJoin('members', (join) => join.onRef('members.room', '=', 'rooms.slug').on('members.present', '=', 1))
      .select(['rooms.slug', 'rooms.name', 'rooms.created_at', (eb) => eb.fn.count<string>('members.person_id').as('members')])
      .groupBy(['rooms.slug', 'rooms.name', 'rooms.created_at'])
      .orderBy('rooms.created_at')
    if (only) {
      if (only.length === 0) return []
      query = query.where('rooms.slug', 'in', only)
    }
    const rows = await query.execute()
    return rows.map((row) => ({ slug: row.slug, name: row.name, createdAt: row.created_at, members: Number(row.members) }))
  }

  /** The people in a room now, by nickname. */
  async members(room: string): Promise<Member[]> {
    const rows = await this.db
      .selectFrom('members')
      .innerJoin('people', 'people.person_id', 'members.person_id')
      .select(['members.person_id', 'people.nickname'])
      .where('members.room', '=', room)
      .where('members.present', '=', 1)
      .orderBy('people.nickname_key')
      .execute()
    return rows.map((row) => ({ id: row.person_id, nickname: row.nickname ?? 'someone' }))
  }

  /** Rooms the person is in now. */
  async roomsOf(personId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('members').select('room').where('person_id', '=', personId).where('present', '=', 1).execute()
    return rows.map((row) => row.room)
  }

  /** Rooms someone is in or has open (seen in the last `ONLINE_MS`): the ones whose presence matters now. */
  async activeRooms(now = new Date()): Promise<string[]> {
    const since = new Date(now.getTime() - ONLINE_MS).toISOString()
    const [present, open] = await Promise.all([
      this.db.selectFrom('members').select('room').distinct().where('present', '=', 1).execute(),
      this.db.selectFrom('people').select('room').distinct().where('room', 'is not', null).where('last_seen', '>', since).execute(),
    ])
    return [...new Set([...present.map((row) => row.room), ...open.map((row) => row.room ?? '')])].filter(Boolean)
  }

  /** People marked present in a room. */
  async presentIn(room: string): Promise<string[]> {
    const rows = await this.db.selectFrom('members').select('person_id').where('room', '=', room).where('present', '=', 1).execute()
    return rows.map((row) => row.person_id)
  }

  /**
   * Marks a person in or out of a room; true only for the one caller (of any
   * process) that changed it, so each join and leave line is written once.
   */
  async markPresent(room: string, personId: string, present: boolean): Promise<boolean> {
    const now = new Date().toISOString()
    const flag = present ? 1 : 0
    const updated = await this.db
      .updateTable('members')
      .set({ present: flag, changed_at: now })
      .where('room', '=', room)
      .where('person_id', '=', personId)
      .where('present', '=', 1 - flag)
      .executeTakeFirst()
    if (updated.numUpdatedRows > 0n) return true
    if (!present) return false
    const inserted = await this.db
      .insertInto('members')
      .values({ room, person_id: personId, present: 1, changed_at: now })
      .onConflict((oc) => oc.columns(['room', 'person_id']).doNothing())
      .executeTakeFirst()
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0
  }
}
