import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isCrossOriginRequest } from './cross-origin.js'

test('cross-origin - a cross-site form post is refused', () => {
  assert.equal(isCrossOriginRequest('POST', { 'sec-fetch-site': 'cross-site' }), true)
  assert.equal(isCrossOriginRequest('POST', { origin: 'https://evil.example', host: 'localhost:4040' }), true)
})

test('cross-origin - same-origin posts, safe methods and non-browser clients pass', () => {
  assert.equal(isCrossOriginRequest('POST', { 'sec-fetch-site': 'same-origin' }), false)
  assert.equal(isCrossOriginRequest('POST', { origin: 'http://localhost:4040', host: 'localhost:4040' }), false)
  assert.equal(isCrossOriginRequest('GET', { 'sec-fetch-site': 'cross-site' }), false)
  assert.equal(isCrossOriginRequest('POST', {}), false)
})
