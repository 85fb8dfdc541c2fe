import { test } from 'node:test'
import assert from 'node:assert/strict'
import { html, raw, escapeHtml } from './html.js'

test('html - interpolated text is escaped', () => {
  const title = '<script>alert("x")</script> & \'quotes\''
  assert.equal(
    html`<li title="${title}">${title}</li>`.value,
    '<li title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;</li>',
  )
})

test('html - nested html and arrays are not escaped twice', () => {
  const items = ['a<b', 'c'].map((t) => html`<li>${t}</li>`)
  assert.equal(html`<ul>${items}</ul>`.value, '<ul><li>a&lt;b</li><li>c</li></ul>')
})

test('html - null, undefined and booleans render nothing; numbers render', () => {
  assert.equal(html`${null}${undefined}${false}${true}${0}`.value, '0')
})

test('html - raw passes trusted markup through', () => {
  assert.equal(html`<p>${raw('<b>ok</b>')}</p>`.value, '<p><b>ok</b></p>')
  assert.equal(escapeHtml('plain'), 'plain')
})
