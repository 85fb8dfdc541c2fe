import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ValidationError } from '@distributex/protocol'
import { parseChatRateLimit } from './chat-core.js'
import { nicknameKey, parseClientId, parseMessage, parseNickname, parseRoomName, slugify } from './chat-rules.js'

const message = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof ValidationError)
    return error.message
  }
  assert.fail('expected a ValidationError')
}

test('chat rules - nicknames are trimmed, 1 to 32 characters, compared without case', () => {
  assert.equal(parseNickname('  Ada   Lovelace '), 'Ada Lovelace')
  assert.equal(parseNickname('é'.repeat(32)), 'é'.repeat(32), '32 characters as a person counts them')
  assert.match(message(() => parseNickname('   ')), /at least 1 character/)
  assert.match(message(() => parseNickname('x'.repeat(33))), /33 characters long; the limit is 32/)
  assert.match(message(() => parseNickname(undefined)), /Write a nickname/)
  assert.equal(nicknameKey('ADA'), nicknameKey('ada'))
  assert.equal(nicknameKey('Ada\u200b'), nicknameKey('ada'), 'a hidden character does not make a look-alike nickname')
  assert.equal(nicknameKey('A\u00add\u2060a'), nicknameKey('ada'))
  assert.match(message(() => parseNickname('\u200b\u200d')), /at least 1 character/, 'an invisible nickname is refused')
  assert.equal(parseNickname('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>', 'markup is kept as text; escaping happens when shown')
})

test('chat rules - room names get a slugged address', () => {
  assert.deepEqual(parseRoomName(' Rust & Go! '), { name: 'Rust & Go!', slug: 'rust-go' })
  assert.deepEqual(parseRoomName('Café Crème'), { name: 'Café Crème', slug: 'cafe-creme' })
  assert.equal(parseRoomName('<img src=x onerror=alert(1)>').slug, 'img-src-x-onerror-alert-1')
  assert.match(message(() => parseRoomName('!!!')), /at least one letter or digit/)
  assert.match(message(() => parseRoomName('')), /at least 1 character/)
  assert.match(message(() => parseRoomName('r'.repeat(49))), /limit is 48/)
  assert.ok(slugify('a'.repeat(48)).length <= 40)
})

test('chat rules - messages keep new lines, refuse empty and over 2,000 characters', () => {
  assert.equal(parseMessage('  hello\r\nworld  '), 'hello\nworld')
  assert.equal(parseMessage('😀'.repeat(2000)).length, 4000, '2,000 emoji are 2,000 characters')
  assert.match(message(() => parseMessage(' \n ')), /empty message is not sent/)
  assert.match(message(() => parseMessage('x'.repeat(2001))), /2001 characters long; the limit is 2000. Shorten it by 1/)
  assert.equal(parseClientId(undefined), undefined)
  assert.equal(parseClientId('abc-123'), 'abc-123')
  assert.match(message(() => parseClientId('no spaces')), /clientId must be/)
})

test('chat rules - the rate limit is configurable as "<messages>/<seconds>"', () => {
  assert.deepEqual(parseChatRateLimit(undefined), { max: 10, windowMs: 5000 })
  assert.deepEqual(parseChatRateLimit('100/0.5'), { max: 100, windowMs: 500 })
  assert.throws(() => parseChatRateLimit('lots'), /DX_CHAT_RATE_LIMIT must be "<messages>\/<seconds>"/)
})
