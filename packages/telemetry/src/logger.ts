/**
 * @module logger
 * How a process logs: JSON lines (one object per line, for log shippers) when
 * its output is not a terminal or `DX_LOG_FORMAT=json`; readable, coloured
 * lines (time, service, message and the fields that matter) in a terminal or
 * with `DX_LOG_FORMAT=pretty`. Either way, what could let someone in is
 * redacted: cookies, authorization headers, tokens, signatures, passwords.
 */
import type { FastifyServerOptions } from 'fastify'
import { ConfigError } from '@distributex/protocol'
import { activeTraceId } from './tracing.js'

export type LogFormat = 'json' | 'pretty'

/** Field paths pino replaces with "[redacted]" wherever they appear in a logged object (one level of nesting). */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-dx-identity"]',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  'cookie',
  'authorization',
  'token',
  'secret',
  'password',
  'signature',
  '*.token',
  '*.secret',
  '*.password',
  '*.signature',
  '*.cookie',
  '*.authorization',
]

/** `DX_LOG_FORMAT` if set (json or pretty), else pretty in a terminal and JSON otherwise. */
export function logFormat(env: NodeJS.ProcessEnv = process.env, isTty: boolean = process.stdout.isTTY === true): LogFormat {
  const chosen = env.DX_LOG_FORMAT?.trim().toLowerCase()
  if (chosen === 'json' || chosen === 'pretty') return chosen
  if (chosen) throw new ConfigError(`DX_LOG_FORMAT must be "json" or "pretty", got "${env.DX_LOG_FORMAT}"`)
  return isTty ? 'pretty' : 'json'
}

/** The trace id of the active span, on the lines logged while a traced request is handled. */
function traceIdMixin(): object {
  const traceId = activeTraceId()
  return traceId ? { traceId } : {}
}

/**
 * Fastify's `logger` option for a process named `service`. With `traceIds`
 * (tracing on, see tracing.ts), every line logged inside a traced request
 * carries its `traceId`; without, no per-line work is added.
 */
export function loggerOptions(options: { service: string; level: string; env?: NodeJS.ProcessEnv; format?: LogFormat; traceIds?: boolean }): NonNullable<Exclude<FastifyServerOptions['logger'], boolean>> {
  const format = options.format ?? logFormat(options.env)
  const base = { level: options.level, base: { service: options.service }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, ...(options.traceIds ? { mixin: traceIdMixin } : {}) }
  if (format === 'json') return base
  return {
    ...base,
    transport: {
      target: 'pino-pretty',
      options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service', messageFormat: '{service} {msg}', singleLine: true },
    },
  }
}

/**
 * A request's URL as it may be logged: the query of the platform's own paths
 * (`/_dx/…`) is left out, since it can carry credentials (the SSE subscription
 * list with its channel tokens, a page session handle).
 */
export function loggableUrl(url: string): string {
  const query = url.indexOf('?')
  return query >= 0 && url.startsWith('/_dx/') ? `${url.slice(0, query)}?…` : url
}
