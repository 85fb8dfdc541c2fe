/**
 * @module describe-issues
 * Turns a zod error into one line per broken field, `path: message`, so every
 * boundary (manifest, configuration, envelope, live message) explains itself alike.
 */
import type { z } from 'zod'

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
}

/**
 * Parses `input` with `schema`; when it does not fit, throws what `fail` makes of the message
 * "<source> is invalid: <every problem>" and the problems (e.g. a `ConfigError` with them as fields).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, source: string, fail: (message: string, problems: string[]) => Error): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const problems = describeIssues(result.error)
  throw fail(`${source} is invalid: ${problems.join('; ')}`, problems)
}
