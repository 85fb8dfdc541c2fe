import { test } from 'node:test'
import assert from 'node:assert/strict'
import { crossSiteRefusal, prefersJson } from './error-body.js'

test('error body - a client asking for JSON and not HTML gets JSON; browsers and the indifferent get text', () => {
  assert.equal(prefersJson('application/json'), true)
  assert.equal(prefersJson('application/json, text/plain;q=0.5'), true)
  assert.equal(prefersJson('text/html,application/xhtml+xml,application/json;q=0.9'), false)
  assert.equal(prefersJson('*/*'), false)
  assert.equal(prefersJson(undefined), false)
})

test('error body - the cross-site refusal is {error, message} JSON when asked, a sentence otherwise', () => {
  const json = crossSiteRefusal('application/json', 'r-1')
  assert.match(json.type, /^application\/json/)
  assert.deepEqual(Object.keys(JSON.parse(json.body) as object), ['error', 'message', 'requestId'])
  const text = crossSiteRefusal('text/html')
  assert.match(text.type, /^text\/plain/)
  assert.match(text.body, /^Refused: This form was posted from another site\. Open the page on this site/)
})
