/**
 * @module people-store
 * People: who is online, their nicknames (unique among people online) and the
 * room they are in. Several chat processes share these rows.
 */
import { NicknameTakenError } from './chat-errors.js'
import { nicknameKey } from './chat-rules.js'
import { AggregateStore, ONLINE_MS, type Person } from './chat-model.js'

/** The people rows: read and written by every chat process. */
export class PeopleStore extends AggregateStore {
  async person(id: string): Promise<Person> {
    const row = await this.db.selectFrom('people').select(['person_id', 'nickname', 'room']).where('person_id', '=', id).executeTakeFirst()
    return { id, nickname: row?.nickname ?? null, room: row?.room ?? null }
  }

  /**
   * Records that the person is online now. Someone back after a while whose
   * nickname was taken meanwhile by someone online gives it up (two people
   * online never share one); answers the nickname given up.
   */
  async touch(id: string, now = new Date()): Promise<string | undefined> {
    const before = await this.db.selectFrom('people').select(['nickname', 'nickname_key', 'last_seen']).where('person_id', '=', id).executeTakeFirst()
    await this.db
      .insertInto('people')
      .values({ person_id: id, nickname: null, nickname_key: null, room: null, client: null, last_seen: now.toISOString() })
      .onConflict((oc) => oc.column('person_id').doUpdateSet({ last_seen: now.toISOString() }))
      .execute()
    const since = new Date(now.getTime() - ONLINE_MS).toISOString()
    if (!before?.nickname || !before.nickname_key || before.last_seen > since) return undefined
    if (!(await this.#heldByOther(id, before.nickname_key, since))) return undefined
    await this.db.updateTable('people').set({ nickname: null, nickname_key: null }).where('person_id', '=', id).where('nickname_key', '=', before.nickname_key).execute()
    return before.nickname
  }

  /** Whether someone else online (seen since `since`, or in a room) goes by the nickname key. */
  async #heldByOther(id: string, key: string, since: string): Promise<boolean> {
    const holders = await this.db
      .selectFrom('people')
      .select('person_id')
      .where('nickname_key', '=', key)
      .where('person_id', '!=', id)
      .where((eb) => eb.or([eb('last_seen', '>', since), eb.exists(eb.selectFrom('members').select('members.person_id').whereRef('members.person_id', '=', 'people.person_id').where('members.present', '=', 1))]))
      .execute()
    return holders.length > 0
  }

  /** Sets a nickname, refused when another person online uses it; answers the previous one. */
  async setNickname(id: string, nickname: string, now = new Date()): Promise<{ previous: string | null }> {
    const key = nicknameKey(nickname)
    const since = new Date(now.getTime() - ONLINE_MS).toISOString()
    const taken = () => this.#heldByOther(id, key, since)
    if (await taken()) throw new NicknameTakenError(nickname)
    const { nickname: previous } = await this.person(id)
    await this.db
      .insertInto('people')
      .values({ person_id: id, nickname, nickname_key: key, room: null, client: null, last_seen: now.toISOString() })
      .onConflict((oc) => oc.column('person_id').doUpdateSet({ nickname, nickname_key: key, last_seen: now.toISOString() }))
      .execute()
    // Two people (through several processes) may both have found it free: whoever now sees the other gives it
    // back. A check always follows its own write, so they cannot both miss each other: one at most keeps it.
    if (await taken()) {
      await this.db.updateTable('people').set({ nickname: previous, nickname_key: previous === null ? null : nicknameKey(previous) }).where('person_id', '=', id).execute()
      throw new NicknameTakenError(nickname)
    }
    return { previous }
  }

  /** Marks a person as a client of the JSON API. */
  async markApiClient(id: string): Promise<void> {
    await this.db.updateTable('people').set({ client: 'api' }).where('person_id', '=', id).execute()
  }

  /**
   * People marked present in a room who are not in `here` (the live view): they
   * left, unless they are API clients that still ping with the room open.
   */
  async absentees(room: string, here: ReadonlySet<string>, now = new Date()): Promise<string[]> {
    const since = new Date(now.getTime() - ONLINE_MS).toISOString()
    const rows = await this.db
      .selectFrom('members')
      .innerJoin('people', 'people.person_id', 'members.person_id')
      .select(['members.person_id', 'people.client', 'people.room', 'people.last_seen'])
      .where('members.room', '=', room)
      .where('members.present', '=', 1)
      .execute()
    return rows.filter((row) => !here.has(row.person_id) && !(row.client === 'api' && row.room === room && row.last_seen > since)).map((row) => row.person_id)
  }

  /** The room the person has open (null: none). */
  async setRoom(id: string, room: string | null): Promise<void> {
    await this.db.updateTable('people').set({ room }).where('person_id', '=', id).execute()
  }

  /** Finds the person online under a nickname. */
  async findOnline(nickname: string, now = new Date()): Promise<Person | undefined> {
    const since = new Date(now.getTime() - ONLINE_MS).toISOString()
    const rows = await this.db.selectFrom('people').select(['person_id', 'nickname', 'room', 'last_seen']).where('nickname_key', '=', nicknameKey(nickname)).orderBy('last_seen', 'desc').execute()
    const row = rows.find((r) => r.last_seen > since) ?? rows[0]
    return row ? { id: row.person_id, nickname: row.nickname, room: row.room } : undefined
  }
}
