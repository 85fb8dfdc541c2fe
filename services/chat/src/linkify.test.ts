import { test } from 'node:test'
import assert from 'node:assert/strict'
import { linkify } from './linkify.js'

test('linkify - addresses become safe links, everything else is text', () => {
  assert.equal(
    linkify('see https://example.com/a?b=1&c=2.').value,
    'see <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer" target="_blank" class="text-indigo-600 underline break-all hover:text-indigo-500">https://example.com/a?b=1&amp;c=2</a>.',
  )
  assert.match(linkify('read https://en.wikipedia.org/wiki/Go_(game).').value, /href="https:\/\/en.wikipedia.org\/wiki\/Go_\(game\)"[^>]*>[^<]*<\/a>\.$/, 'a balanced parenthesis stays in the address')
  assert.match(linkify('(see https://example.com/x)').value, /href="https:\/\/example.com\/x"[^>]*>https:\/\/example.com\/x<\/a>\)$/, 'one around it does not')
  assert.equal(linkify('<img src=x onerror=alert(1)>').value, '&lt;img src=x onerror=alert(1)&gt;')
  assert.equal(linkify('javascript:alert(1)').value, 'javascript:alert(1)', 'only http and https become links')
  const quoted = linkify('http://x.test/"onmouseover="alert(1)').value
  assert.ok(!quoted.includes('"onmouseover'), 'a quote ends the address and is escaped')
  assert.match(quoted, /&quot;onmouseover=&quot;alert\(1\)/)
})
