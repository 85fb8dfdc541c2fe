import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { pythonSkip } from './support/polls-app.js'

const serviceDir = fileURLToPath(new URL('../../services/polls/', import.meta.url))

test('polls - the Python unit tests pass: protocol test vectors, poll rules, safety', { skip: pythonSkip() }, () => {
  const result = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.', '-v'], {
    cwd: serviceDir,
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    timeout: 30_000,
  })
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stderr, /Ran \d+ tests/)
  assert.match(result.stderr, /test_publish_credential_vector \(tests\.test_protocol_parts\.Signing\.test_publish_credential_vector\)[^\n]*ok/)
})
