/**
 * @module visible-text
 * The part of a GitHub comment (Markdown) that is prose: code blocks (fenced and
 * indented), code spans, block quotes with their lazy continuation lines, HTML
 * comments and `<code>`/`<pre>` elements are blanked out, so a pattern quoted or
 * shown as an example never becomes a bounty. Blanked text turns into spaces, so
 * what is left around it can never join into a new pattern.
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})/
const QUOTE = /^ {0,3}>/
const INDENTED = /^(?: {4}|\t)/
const BLANK = /^\s*$/

const blank = (text: string) => text.replace(/[^\n]/g, ' ')

/** Blanks HTML comments (an unclosed one runs to the end) and `<code>`/`<pre>` elements. */
function withoutHtml(text: string): string {
  return text.replace(/<!--[\s\S]*?(?:-->|$)/g, blank).replace(/<(code|pre)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, blank)
}

/** Blanks fenced and indented code blocks and block quotes, line by line. */
function withoutBlocks(text: string): string {
  const lines = text.split('\n')
  let fence: string | undefined
  let quoted = false
  let previousBlank = true
  let inIndented = false
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string
    if (fence !== undefined) {
      const close = FENCE.exec(line)
      if (close && (close[1] as string)[0] === fence[0] && (close[1] as string).length >= fence.length && BLANK.test(line.slice(close[0].length))) fence = undefined
      lines[index] = blank(line)
      continue
    }
    const open = FENCE.exec(line)
    if (open) {
      fence = open[1] as string
      lines[index] = blank(line)
      quoted = false
      previousBlank = false
      continue
    }
    const isBlank = BLANK.test(line)
    if (QUOTE.test(line) || (quoted && !isBlank)) {
      quoted = true
      lines[index] = blank(line)
    } else if (!isBlank && INDENTED.test(line) && (previousBlank || inIndented)) {
      inIndented = true
      lines[index] = blank(line)
    } else {
      if (!isBlank) inIndented = false
      quoted = false
    }
    previousBlank = isBlank
  }
  return lines.join('\n')
}

/** Blanks code spans: a run of n backticks up to the next run of exactly n; an unmatched run is literal. */
function withoutCodeSpans(text: string): string {
  let out = ''
  let index = 0
  const runs = /`+/g
  while (index < text.length) {
    runs.lastIndex = index
    const open = runs.exec(text)
    if (!open) break
    const length = open[0].length
    let close: RegExpExecArray | null
    let found: RegExpExecArray | undefined
    while ((close = runs.exec(text))) {
      if (close[0].length === length) {
        found = close
        break
      }
    }
    if (!found) {
      out += text.slice(index, open.index + length)
      index = open.index + length
      continue
    }
    const end = found.index + length
    out += text.slice(index, open.index) + blank(text.slice(open.index, end))
    index = end
  }
  return out + text.slice(index)
}

/** The prose of a Markdown comment, same length as the input, everything else blanked. */
export function visibleText(markdown: string): string {
  const normalized = markdown.replace(/\r\n?/g, '\n')
  return withoutCodeSpans(withoutBlocks(withoutHtml(normalized)))
}
