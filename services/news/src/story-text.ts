/**
 * @module story-text
 * How a story's text reads on the page: titles cleaned of control characters
 * and cut to a sane length, "3 hours ago", "12 points", "offline since 14:02 UTC".
 */

/** Longest title shown, in characters (Hacker News allows 80; a hostile source may send anything). */
export const TITLE_SHOWN_MAX = 300

// C0 and C1 control characters (except tab and newline, collapsed with other whitespace below).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g

/** The title as shown: no control characters, whitespace collapsed, at most `TITLE_SHOWN_MAX` characters. */
export function shownTitle(title: string): string {
  const clean = title.replace(CONTROL, '').replace(/\s+/g, ' ').trim()
  const characters = [...clean]
  return characters.length > TITLE_SHOWN_MAX ? `${characters.slice(0, TITLE_SHOWN_MAX - 1).join('')}…` : clean
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago". */
export function age(unixSeconds: number, now = Date.now()): string {
  const seconds = Math.max(0, Math.floor(now / 1000 - unixSeconds))
  if (seconds < 60) return 'just now'
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${plural(minutes, 'minute', 'minutes')} ago`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${plural(hours, 'hour', 'hours')} ago`
  return `${plural(Math.floor(hours / 24), 'day', 'days')} ago`
}

const TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit' })
const DAY_AND_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })

/** "14:02 UTC" today, "3 Nov, 14:02 UTC" before. */
export function clockTime(date: Date, now = new Date()): string {
  const sameDay = date.toISOString().slice(0, 10) === now.toISOString().slice(0, 10)
  return `${(sameDay ? TIME : DAY_AND_TIME).format(date)} UTC`
}

/** "example.com" for a link, shown next to the title. */
export function domainOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '')
  } catch {
    return ''
  }
}
