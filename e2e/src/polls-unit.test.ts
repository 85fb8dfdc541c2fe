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

/** A Python that has mypy (the pyenv one rarely does; Debian's python3-mypy installs it for /usr/bin/python3), or undefined. */
function pythonWithMypy(): string | undefined {
  return ['python3', '/usr/bin/python3'].find((python) => spawnSync(python, ['-m', 'mypy', '--version'], { encoding: 'utf8' }).status === 0)
}

const mypy = pythonWithMypy()

test('polls - the service type-checks with mypy --strict (services/polls/pyproject.toml)', { skip: mypy ? false : 'mypy is not installed (Debian: apt-get install python3-mypy)' }, () => {
  const result = spawnSync(mypy ?? 'python3', ['-m', 'mypy'], { cwd: serviceDir, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', MYPY_CACHE_DIR: '/dev/null' }, timeout: 120_000 })
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`)
  assert.match(result.stdout, /Success: no issues found in \d+ source files/)
})
