import { test } from 'node:test'
import assert from 'node:assert/strict'
import Fastify from 'fastify'
import { lazySchemaCompilers } from './lazy-schema-compilers.js'

test('a route with a JSON schema still validates and serializes when the compilers load late', async () => {
  const app = Fastify({ schemaController: lazySchemaCompilers })
  app.post(
    '/items',
    {
      schema: {
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
        response: { 200: { type: 'object', properties: { name: { type: 'string' } } } },
      },
    },
    async (request) => ({ name: (request.body as { name: string }).name, secret: 'not in the schema' }),
  )
  try {
    const bad = await app.inject({ method: 'POST', url: '/items', payload: { name: '' } })
    assert.equal(bad.statusCode, 400)
    const good = await app.inject({ method: 'POST', url: '/items', payload: { name: 'milk' } })
    assert.equal(good.statusCode, 200)
    assert.deepEqual(good.json(), { name: 'milk' })
  } finally {
    await app.close()
  }
})
