/**
 * @module k8s-schema
 * Validates rendered objects against the Kubernetes JSON schemas shipped by
 * the `kubernetes-models` package (generated from the OpenAPI of Kubernetes
 * 1.34; see KUBERNETES_SCHEMA_VERSION): types, required fields and formats of
 * every field we set. Unknown kinds are an error, so nothing goes unchecked.
 */

/** The Kubernetes version whose OpenAPI the schemas come from. */
export const KUBERNETES_SCHEMA_VERSION = '1.34'

interface Validatable {
  validate(): void
}

type ModelClass = new (data: unknown) => Validatable

/** The module of `kubernetes-models` holding an apiVersion's models. */
function modulePath(apiVersion: string): string {
  return `kubernetes-models/${apiVersion}`
}

/** Problems found in `object` (empty when it is valid). */
export async function schemaProblems(object: { apiVersion: string; kind: string; metadata?: { name?: string } }): Promise<string[]> {
  const where = `${object.kind}/${object.metadata?.name ?? '?'}`
  let models: Record<string, unknown>
  try {
    models = (await import(modulePath(object.apiVersion))) as Record<string, unknown>
  } catch {
    return [`${where}: no schema for apiVersion ${object.apiVersion}`]
  }
  const Model = models[object.kind] as ModelClass | undefined
  if (typeof Model !== 'function') return [`${where}: no schema for kind ${object.kind} in ${object.apiVersion}`]
  try {
    new Model(object).validate()
    return []
  } catch (error) {
    return [`${where}: ${(error as Error).message}`]
  }
}
