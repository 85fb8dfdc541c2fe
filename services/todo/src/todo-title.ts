/**
 * @module todo-title
 * The one rule for a todo's title, with messages a person can act on.
 */
import { ValidationError } from '@distributex/protocol'

export const TITLE_MAX = 500

/** Trims and checks a title; counts characters as a person does (code points, not UTF-16 units). */
export function parseTitle(input: unknown, field = 'title'): string {
  if (typeof input !== 'string') throw new ValidationError(field, 'Write a title for the todo.')
  const title = input.trim()
  if (title.length === 0) throw new ValidationError(field, 'Write something first: a todo needs a title of at least 1 character.')
  const length = [...title].length
  if (length > TITLE_MAX) {
    throw new ValidationError(field, `That title is ${length} characters long; the limit is ${TITLE_MAX}. Shorten it by ${length - TITLE_MAX}.`)
  }
  return title
}
