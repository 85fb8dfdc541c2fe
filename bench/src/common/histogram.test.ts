import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Histogram } from './histogram.js'

test('histogram - quantiles to the bucket, merged across processes through the sparse form', () => {
  const a = new Histogram()
  const b = new Histogram()
  for (let i = 1; i <= 98; i++) a.record(1)
  b.record(40)
  b.record(4000)
  const merged = Histogram.fromSparse(a.toSparse())
  merged.add(Histogram.fromSparse(b.toSparse()))
  assert.equal(merged.total, 100)
  assert.ok(Math.abs(merged.quantile(0.5) - 1.05) < 1e-9, 'p50 is the 1 ms bucket')
  assert.ok(Math.abs(merged.quantile(0.99) - 40.05) < 1e-9, 'p99 is the 40 ms sample')
  assert.ok(merged.quantile(1) >= 4000)
})

test('histogram - samples past 5 s land in the last bucket and NaN is ignored', () => {
  const h = new Histogram()
  h.record(Number.NaN)
  h.record(12_000)
  assert.equal(h.total, 1)
  assert.equal(h.quantile(0.5), 12_000)
  assert.ok(Number.isNaN(new Histogram().quantile(0.5)))
})
