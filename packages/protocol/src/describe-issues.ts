/**
 * @module describe-issues
 * Turns a zod error into one line per broken field, `path: message`, so every
 * boundary (manifest, configuration, envelope, live message) explains itself alike.
 */
import type { z } from 'zod'

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
}
