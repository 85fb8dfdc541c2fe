/** Plain-text tables that paste into an issue or a commit message unchanged. */

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned (numbers) or left-aligned (phrases). */
export function alignTable(rows: string[][], numbers = true): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  const pad = (cell: string, i: number) => (i > 0 && numbers ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))
  return rows.map((row) => row.map(pad).join('  ').trimEnd())
}
