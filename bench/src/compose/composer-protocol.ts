/** What a composer child of the compose bench receives and answers. */

/** Settings a composer child receives as its one argument (JSON). */
export interface ComposerArgs {
  /** Base URL of each fragment server, by service name. */
  fragments: Record<string, string>
  /** A folder the composer may write to (removed after the run). */
  workDir: string
  fragmentTimeoutMs: number
}

/** What a composer answers once it listens. */
export interface ComposerInfo {
  url: string
  /** What runs, e.g. the nginx version. */
  detail?: string
  /** Other processes doing the composing (nginx), whose CPU counts as the composer's. */
  pids?: number[]
}
