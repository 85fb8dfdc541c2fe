/**
 * @module sse-stream
 * A Server-Sent Events reader with EventSource's parsing rules (fields per
 * line, `data` lines joined, an event dispatched at a blank line, comments
 * ignored), so an SSE page of the chaos suite sees exactly what a browser sees.
 */

export interface SseStream {
  /** Resolves when the stream ends or fails (the page then reconnects, as the runtime does). */
  readonly ended: Promise<void>
  close(): void
}

/** Opens `url` and calls `onData` with each event's data. */
export function openSse(url: string, headers: Record<string, string>, onData: (data: string) => void): SseStream {
  const abort = new AbortController()
  const read = async () => {
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal })
    if (!response.ok || !response.body) {
      await response.arrayBuffer().catch(() => undefined)
      return
    }
    const decoder = new TextDecoder()
    let buffer = ''
    let data: string[] = []
    const reader = response.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let newline: number
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
        if (line === '') {
          if (data.length) onData(data.join('\n'))
          data = []
        } else {
          const colon = line.indexOf(':')
          const field = colon >= 0 ? line.slice(0, colon) : line
          const value = colon >= 0 ? line.slice(colon + 1) : ''
          if (field === 'data') data.push(value.startsWith(' ') ? value.slice(1) : value)
        }
      }
    }
  }
  const ended = read().catch(() => undefined)
  return { ended, close: () => abort.abort() }
}
