import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isCrossOriginRequest } from './cross-origin.js'

test('cross-origin - a cross-site form post is refused', () => {
  assert.equal(isCrossOriginRequest('POST', { 'sec-fetch-site': 'cross-site' }), true)
  assert.equal(isCrossOriginRequest('POST', { origin: 'https://evil.example', host: 'localhost:4040' }), true)
  // A sandboxed frame or a file: page sends Origin: null (protocol §7.1).
  assert.equal(isCrossOriginRequest('POST', { origin: 'null', host: 'localhost:4040' }), true)
})

test('cross-origin - same-origin posts, safe methods and non-browser clients pass', () => {
  assert.equal(isCrossOriginRequest('POST', { 'sec-fetch-site': 'same-origin' }), false)
  assert.equal(isCrossOriginRequest('POST', { origin: 'http://localhost:4040', host: 'localhost:4040' }), false)
  assert.equal(isCrossOriginRequest('GET', { 'sec-fetch-site': 'cross-site' }), false)
  // Neither Sec-Fetch-Site nor Origin: not a browser (curl, another service), which no form on another site can make of one.
  assert.equal(isCrossOriginRequest('POST', {}), false)
})
