/**
 * @module query-tracing
 * A Kysely plugin that gives every query run inside a traced request a client
 * span (`INSERT todos`, `SELECT dx_outbox`), a child of the request's span,
 * with the database system, the operation and the table; never the values.
 * Outside a traced request (or with tracing off) it only checks the active
 * context and passes the query on.
 */
import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import { activeTracer, SpanKind, type Span } from '@distributex/telemetry'

const OPERATIONS: Partial<Record<RootOperationNode['kind'], string>> = {
  SelectQueryNode: 'SELECT',
  InsertQueryNode: 'INSERT',
  UpdateQueryNode: 'UPDATE',
  DeleteQueryNode: 'DELETE',
  MergeQueryNode: 'MERGE',
}

/** The first table a query names, if it names one plainly. */
function tableOf(node: OperationNode | undefined): string | undefined {
  const loose = node as { kind?: string; table?: { identifier?: { name?: unknown } }; froms?: OperationNode[]; node?: OperationNode } | undefined
  switch (loose?.kind) {
    case 'TableNode':
      return typeof loose.table?.identifier?.name === 'string' ? loose.table.identifier.name : undefined
    case 'FromNode':
      return tableOf(loose.froms?.[0])
    case 'AliasNode':
      return tableOf(loose.node)
    default:
      return undefined
  }
}

function describe(node: RootOperationNode): { operation: string; table: string | undefined } {
  const operation = OPERATIONS[node.kind] ?? 'SQL'
  const loose = node as { into?: OperationNode; table?: OperationNode; from?: OperationNode; into_?: OperationNode }
  return { operation, table: tableOf(loose.into ?? loose.table ?? loose.from) }
}

export class QueryTracing implements KyselyPlugin {
  readonly #system: string
  readonly #spans = new WeakMap<object, Span>()

  /** `system`: the OpenTelemetry name of the database (`sqlite`, `postgresql`). */
  constructor(system: string) {
    this.#system = system
  }

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    const tracer = activeTracer()
    if (!tracer) return node
    const { operation, table } = describe(node)
    const span = tracer.startSpan(table ? `${operation} ${table}` : operation, {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': this.#system, 'db.operation.name': operation, ...(table ? { 'db.collection.name': table } : {}) },
    })
    this.#spans.set(queryId, span)
    return node
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const span = this.#spans.get(queryId)
    if (span) {
      this.#spans.delete(queryId)
      span.setAttribute('db.response.returned_rows', result.rows.length)
      span.end()
    }
    return result
  }
}
