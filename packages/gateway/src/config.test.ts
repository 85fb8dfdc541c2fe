import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseGatewayConfig, serviceUrl, serviceUrls } from './config.js'
import { ConfigError } from '@distributex/protocol'

test('config - a page using an unknown service is refused with both names', () => {
  assert.throws(
    () => parseGatewayConfig({ services: { todo: { port: 4001 } }, pages: [{ path: '/', title: 'Home', widgets: [{ service: 'chat', widget: 'room' }] }] }),
    (error: unknown) => error instanceof ConfigError && /service "chat"/.test(error.message) && /widget "room"/.test(error.message),
  )
})

test('config - a service needs a url or a port, and bad fields are named', () => {
  assert.throws(() => parseGatewayConfig({ services: { todo: {} } }), /services.todo: give the service a "url" or a "port"/)
  assert.throws(() => parseGatewayConfig({ services: { todo: { port: 70000 } } }), /services.todo.port/)
})

test('config - a service of another stack is started by a command, not also by a module', () => {
  const config = parseGatewayConfig({ services: { polls: { port: 4004, command: ['python3', 'services/polls/polls.py'] } } })
  assert.deepEqual(config.services.polls?.command, ['python3', 'services/polls/polls.py'])
  assert.throws(() => parseGatewayConfig({ services: { polls: { port: 4004, command: ['python3'], module: '@distributex/polls' } } }), /a "module" \(TypeScript\) or a "command"/)
  assert.throws(() => parseGatewayConfig({ services: { polls: { port: 4004, command: [] } } }), /services.polls.command/)
})

test('config - DX_SERVICE_<NAME>_URL overrides where a service is reached', () => {
  assert.equal(serviceUrl('my-svc', { port: 4001 }, {}), 'http://127.0.0.1:4001')
  assert.equal(serviceUrl('my-svc', { port: 4001 }, { DX_SERVICE_MY_SVC_URL: 'http://svc:8080/' }), 'http://svc:8080')
})

test('config - several processes of a service are listed comma-separated', () => {
  assert.deepEqual(serviceUrls('todo', { port: 4001 }, { DX_SERVICE_TODO_URL: 'http://127.0.0.1:4001, http://127.0.0.1:4011/' }), ['http://127.0.0.1:4001', 'http://127.0.0.1:4011'])
  assert.throws(() => serviceUrls('todo', { port: 4001 }, { DX_SERVICE_TODO_URL: 'todo-host:4001' }), /not an http\(s\) origin/)
})

test('config - an internal part is parsed with an internal default address, and may not also be a routed service', () => {
  const config = parseGatewayConfig({ services: { bounties: { port: 4005 } }, internal: { ledger: { port: 4006, module: '@distributex/ledger' } } })
  assert.deepEqual(config.internal.ledger, { port: 4006, host: '127.0.0.1', module: '@distributex/ledger' })
  assert.deepEqual(parseGatewayConfig({ services: { todo: { port: 4001 } } }).internal, {})
  assert.throws(() => parseGatewayConfig({ services: { ledger: { port: 4006 } }, internal: { ledger: { port: 4006, module: '@distributex/ledger' } } }), /must not be routed by the gateway/)
})
