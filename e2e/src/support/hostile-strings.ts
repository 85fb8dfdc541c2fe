/**
 * @module hostile-strings
 * What an attacker types, posts or serves: markup, script, event handlers,
 * `javascript:` and `data:` URLs, template syntax, htmx attributes, declarative
 * shadow roots. Every payload that would create an element or attribute marks
 * it (`x-pwn`, `pwnattr`), so the page check finds any that got through.
 */

export const HOSTILE_STRINGS: readonly string[] = [
  '<x-pwn pwnattr>tag</x-pwn>',
  '<img src=x onerror=alert(1) pwnattr>',
  '"><svg onload=alert(2) pwnattr>',
  "'><x-pwn pwnattr>quote",
  '<script>alert(3)</script>',
  'javascript:alert(4)',
  '<a href="javascript:alert(5)" pwnattr>link</a>',
  'data:text/html,<script>alert(6)</script>',
  '</textarea></title><x-pwn pwnattr>',
  '<style>body{display:none}</style>',
  '<div hx-get="/" hx-trigger="load" pwnattr>htmx</div>',
  '<template shadowrootmode="open"><x-pwn pwnattr></x-pwn></template>',
  '{{7*7}} ${7*7} <%= 7*7 %>',
  '<iframe src="javascript:alert(7)" pwnattr></iframe>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(8)">',
  'see http://x.test/?q=<x-pwn pwnattr>&"onmouseover=alert(9)',
]

/** Short ones, for fields with a small limit (nicknames, room names). */
export const SHORT_HOSTILE_STRINGS: readonly string[] = ['<x-pwn pwnattr>', '"><b pwnattr>', "'onmouseover=alert(1)", '<script>x</script>', 'javascript:alert(1)', '{{7*7}}']
