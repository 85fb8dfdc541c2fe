/**
 * @module kustomize-render
 * Renders a kustomization the way `kubectl kustomize` does, for the subset our
 * manifests use: `resources` (files and other kustomizations), `patches`
 * (strategic-merge patches found by kind and name), `namespace`, `labels`,
 * `images` and `replicas`. Why our own: no kustomize binary or npm package is
 * available everywhere the tests run; where kubectl is installed, a test checks
 * that both render the same objects.
 */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown }

interface Kustomization {
  resources?: string[]
  patches?: Array<{ path: string }>
  namespace?: string
  labels?: Array<{ pairs: Record<string, string> }>
  images?: Array<{ name: string; newName?: string; newTag?: string }>
  replicas?: Array<{ name: string; count: number }>
}

/** Kinds that live outside any namespace (among those we use). */
const CLUSTER_SCOPED = new Set(['Namespace', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'IngressClass'])

export function readYamlObjects(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1' })
    .map((document) => {
      if (document.errors.length) throw new Error(`${file}: ${document.errors[0]?.message}`)
      return document.toJS() as K8sObject | null
    })
    .filter((object): object is K8sObject => object !== null)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Strategic merge: maps merge, `null` deletes, lists of named items merge by name, other lists are replaced. */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (isObject(target) && isObject(patch)) {
    const merged: Record<string, unknown> = { ...target }
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key]
      else merged[key] = key in target ? strategicMerge(target[key], value) : value
    }
    return merged
  }
  if (Array.isArray(target) && Array.isArray(patch) && patch.every((item) => isObject(item) && typeof item.name === 'string')) {
    // As Kustomize orders them: the patched items first, in the patch's order, then the others.
    const named = patch as Array<Record<string, unknown>>
    const patched = named.map((item) => {
      const existing = target.find((candidate) => isObject(candidate) && candidate.name === item.name)
      return existing === undefined ? item : strategicMerge(existing, item)
    })
    return [...patched, ...target.filter((candidate) => !(isObject(candidate) && named.some((item) => item.name === candidate.name)))]
  }
  return patch
}

function podSpecs(object: K8sObject): Array<Record<string, unknown>> {
  const spec = object.spec as { template?: { spec?: Record<string, unknown> } } | undefined
  return spec?.template?.spec ? [spec.template.spec] : []
}

function retag(image: string, rules: NonNullable<Kustomization['images']>): string {
  const at = image.lastIndexOf(':')
  const name = at > image.lastIndexOf('/') ? image.slice(0, at) : image
  const tag = at > image.lastIndexOf('/') ? image.slice(at + 1) : undefined
  const rule = rules.find((candidate) => candidate.name === name)
  if (!rule) return image
  const newTag = rule.newTag ?? tag
  return `${rule.newName ?? name}${newTag ? `:${newTag}` : ''}`
}

/** Every object the kustomization in `dir` renders to. */
export function renderKustomization(dir: string): K8sObject[] {
  const kustomization = readYamlObjects(join(dir, 'kustomization.yaml'))[0] as unknown as Kustomization
  let objects: K8sObject[] = []
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource)
    objects.push(...(statSync(path).isDirectory() ? renderKustomization(path) : readYamlObjects(path)))
  }
  for (const { path } of kustomization.patches ?? []) {
    for (const patch of readYamlObjects(join(dir, path))) {
      const at = objects.findIndex((object) => object.kind === patch.kind && object.metadata.name === patch.metadata.name)
      if (at < 0) throw new Error(`${join(dir, path)}: no ${patch.kind} named ${patch.metadata.name} to patch`)
      objects[at] = strategicMerge(objects[at], patch) as K8sObject
    }
  }
  objects = objects.map((object) => {
    const copy = structuredClone(object)
    if (kustomization.namespace && !CLUSTER_SCOPED.has(copy.kind)) copy.metadata.namespace = kustomization.namespace
    for (const { pairs } of kustomization.labels ?? []) copy.metadata.labels = { ...copy.metadata.labels, ...pairs }
    const count = kustomization.replicas?.find((rule) => rule.name === copy.metadata.name)
    if (count && isObject(copy.spec) && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(copy.kind)) copy.spec.replicas = count.count
    for (const spec of podSpecs(copy)) {
      for (const list of ['containers', 'initContainers'] as const) {
        for (const container of (spec[list] as Array<{ image?: string }> | undefined) ?? []) {
          if (container.image && kustomization.images) container.image = retag(container.image, kustomization.images)
        }
      }
    }
    return copy
  })
  return objects
}

/** The overlays under deploy/k8s/overlays, by name. */
export function overlayDir(k8sRoot: string, overlay: string): string {
  return join(k8sRoot, 'overlays', overlay)
}
