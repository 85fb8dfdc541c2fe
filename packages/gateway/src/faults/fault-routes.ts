/**
 * @module fault-routes
 * The admin fault API, behind the same protection as the admin page:
 * - `GET /_dx/admin/faults`: every process with faults on;
 * - `PUT /_dx/admin/faults/<service>`: JSON `{ "process"?: "<address>", "latencyMs"?, "errorRate"?, … }` switches them on;
 * - `DELETE /_dx/admin/faults/<service>[?process=<address>]` switches them off;
 * - `POST /_dx/admin/faults`: the admin page's form (rates in percent), answered with a redirect back.
 */
import type { FastifyInstance, FastifyReply, preHandlerAsyncHookHandler } from 'fastify'
import { z } from 'zod'
import { FaultsSchema, NO_FAULTS, describeIssues, isCrossOriginRequest, type Faults } from '@distributex/protocol'
import type { ServiceRegistry } from '../registry/service-registry.js'
import type { FaultBoard, FaultTarget } from './fault-board.js'

export const FAULTS_ADMIN_PATH = '/_dx/admin/faults'

const number = (field: string) => z.preprocess((value) => (value === '' || value === undefined ? 0 : Number(value)), z.number({ error: `${field} must be a number` }))

/** The admin page's form: rates in percent, empty fields meaning 0. */
const FormSchema = z.object({
  service: z.string(),
  process: z.string().default(''),
  action: z.enum(['apply', 'clear']).default('apply'),
  latencyMs: number('latency'),
  errorPercent: number('error rate'),
  errorStatus: number('error status'),
  publishDropPercent: number('dropped publishes'),
  publishDelayMs: number('publish delay'),
  consumerDelayMs: number('consumer delay'),
})

function refuse(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ error: status === 404 ? 'Not found' : 'Invalid faults', message })
}

export async function faultRoutes(app: FastifyInstance, { board, registry, admin }: { board: FaultBoard; registry: ServiceRegistry; admin: preHandlerAsyncHookHandler }): Promise<void> {
  /** The target, or why it names nothing this gateway knows. */
  const targetOf = (service: string, process: string | undefined): FaultTarget | string => {
    const entry = registry.get(service)
    if (!entry) return `no service named "${service}" is registered with this gateway`
    if (process && !entry.urls.includes(process)) return `"${process}" is not a process of ${service}; its processes are ${entry.urls.join(', ')}`
    return { service, process: process || undefined }
  }

  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))))
    })
    scope.addHook('preHandler', admin)

    scope.get(FAULTS_ADMIN_PATH, async (_request, reply) => reply.header('cache-control', 'no-store').send({ faults: board.list() }))

    scope.put(`${FAULTS_ADMIN_PATH}/:service`, async (request, reply) => {
      const { process, ...rest } = (request.body ?? {}) as { process?: unknown }
      const target = targetOf((request.params as { service: string }).service, typeof process === 'string' ? process : undefined)
      if (typeof target === 'string') return refuse(reply, 404, target)
      const faults = FaultsSchema.safeParse(rest)
      if (!faults.success) return refuse(reply, 400, describeIssues(faults.error).join('; '))
      return reply.header('cache-control', 'no-store').send({ faults: await board.set(target, faults.data) })
    })

    scope.delete(`${FAULTS_ADMIN_PATH}/:service`, async (request, reply) => {
      const target = targetOf((request.params as { service: string }).service, (request.query as { process?: string }).process)
      if (typeof target === 'string') return refuse(reply, 404, target)
      return reply.header('cache-control', 'no-store').send({ faults: await board.set(target, NO_FAULTS) })
    })

    scope.post(FAULTS_ADMIN_PATH, async (request, reply) => {
      if (isCrossOriginRequest(request.method, request.headers)) return reply.code(403).type('text/plain; charset=utf-8').send('Refused: this form was posted from another site.\n')
      const form = FormSchema.safeParse(request.body ?? {})
      if (!form.success) return refuse(reply, 400, describeIssues(form.error).join('; '))
      const target = targetOf(form.data.service, form.data.process)
      if (typeof target === 'string') return refuse(reply, 404, target)
      let faults: Faults = NO_FAULTS
      if (form.data.action === 'apply') {
        const { latencyMs, errorPercent, errorStatus, publishDropPercent, publishDelayMs, consumerDelayMs } = form.data
        const parsed = FaultsSchema.safeParse({ latencyMs, errorRate: errorPercent / 100, errorStatus: errorStatus || 503, publishDropRate: publishDropPercent / 100, publishDelayMs, consumerDelayMs })
        if (!parsed.success) return refuse(reply, 400, describeIssues(parsed.error).join('; '))
        faults = parsed.data
      }
      await board.set(target, faults)
      return reply.code(303).header('location', '/_dx/admin#dx-admin-faults').send()
    })
  })
}
