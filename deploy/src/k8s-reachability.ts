/**
 * @module k8s-reachability
 * Which pod may open a connection to which, computed from the NetworkPolicy
 * objects themselves with Kubernetes' rules: a pod selected by no policy of a
 * direction is open in that direction; otherwise some rule of a policy that
 * selects it must admit the peer (pod and namespace selectors, ports by number
 * or name) — at the sender for egress and at the receiver for ingress.
 * ipBlock peers stand for addresses outside the cluster (pod addresses are
 * taken to be in 10.0.0.0/8, as in most clusters).
 */
import type { K8sObject } from './kustomize-render.js'

type Labels = Record<string, string>

interface Selector {
  matchLabels?: Labels
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>
}

interface Peer {
  podSelector?: Selector
  namespaceSelector?: Selector
  ipBlock?: { cidr: string; except?: string[] }
}

interface PolicyPort {
  protocol?: string
  port?: number | string
  endPort?: number
}

interface Rule {
  to?: Peer[]
  from?: Peer[]
  ports?: PolicyPort[]
}

interface PolicySpec {
  podSelector: Selector
  policyTypes?: Array<'Ingress' | 'Egress'>
  ingress?: Rule[]
  egress?: Rule[]
}

export interface Pod {
  /** Its app.kubernetes.io/name (the part). */
  readonly name: string
  readonly namespace: string
  readonly labels: Labels
  readonly namespaceLabels: Labels
  /** Container ports: number and name. */
  readonly ports: Array<{ port: number; name?: string }>
}

export function matches(selector: Selector | undefined, labels: Labels): boolean {
  if (!selector) return true
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false
  for (const expression of selector.matchExpressions ?? []) {
    const has = expression.key in labels
    const value = labels[expression.key]
    const inValues = value !== undefined && (expression.values ?? []).includes(value)
    if (expression.operator === 'In' && !inValues) return false
    if (expression.operator === 'NotIn' && inValues) return false
    if (expression.operator === 'Exists' && !has) return false
    if (expression.operator === 'DoesNotExist' && has) return false
  }
  return true
}

/** The pods of the rendered objects, plus the ingress controller outside the namespace. */
export function podsOf(objects: readonly K8sObject[], ingressController: Pod): Pod[] {
  const namespaces = new Map(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name }]))
  const pods = objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .map((o) => {
      const template = (o.spec as { template: { metadata: { labels: Labels }; spec: { containers: Array<{ ports?: Array<{ containerPort: number; name?: string }> }> } } }).template
      const namespace = o.metadata.namespace ?? 'default'
      return {
        name: template.metadata.labels['app.kubernetes.io/name'] ?? o.metadata.name,
        namespace,
        labels: template.metadata.labels,
        namespaceLabels: namespaces.get(namespace) ?? { 'kubernetes.io/metadata.name': namespace },
        ports: template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => ({ port: p.containerPort, ...(p.name ? { name: p.name } : {}) }))),
      }
    })
  return [...pods, ingressController]
}

function policiesOf(objects: readonly K8sObject[]): Array<{ namespace: string; spec: PolicySpec }> {
  return objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => ({ namespace: o.metadata.namespace ?? 'default', spec: o.spec as PolicySpec }))
}

function types(spec: PolicySpec): Array<'Ingress' | 'Egress'> {
  return spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress'])
}

function peerIsPod(peer: Peer, policyNamespace: string, pod: Pod): boolean {
  if (peer.ipBlock) return false
  const namespaceOk = peer.namespaceSelector ? matches(peer.namespaceSelector, pod.namespaceLabels) : pod.namespace === policyNamespace
  return namespaceOk && matches(peer.podSelector, pod.labels)
}

function portAllowed(ports: PolicyPort[] | undefined, target: { port: number; name?: string }, protocol = 'TCP'): boolean {
  if (!ports || ports.length === 0) return true
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false
    if (p.port === undefined) return true
    if (typeof p.port === 'string') return p.port === target.name
    return p.endPort ? target.port >= p.port && target.port <= p.endPort : target.port === p.port
  })
}

/** Whether `from` may open a TCP connection to `to` on `port` (one of `to`'s container ports). */
export function mayConnect(objects: readonly K8sObject[], from: Pod, to: Pod, port: { port: number; name?: string }): boolean {
  const policies = policiesOf(objects)
  const egress = policies.filter((p) => p.namespace === from.namespace && matches(p.spec.podSelector, from.labels) && types(p.spec).includes('Egress'))
  const egressOk = egress.length === 0 || egress.some((p) => (p.spec.egress ?? []).some((rule) => (rule.to === undefined || rule.to.some((peer) => peerIsPod(peer, p.namespace, to))) && portAllowed(rule.ports, port)))
  const ingress = policies.filter((p) => p.namespace === to.namespace && matches(p.spec.podSelector, to.labels) && types(p.spec).includes('Ingress'))
  const ingressOk = ingress.length === 0 || ingress.some((p) => (p.spec.ingress ?? []).some((rule) => (rule.from === undefined || rule.from.some((peer) => peerIsPod(peer, p.namespace, from))) && portAllowed(rule.ports, port)))
  return egressOk && ingressOk
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0)
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '0.0.0.0', bits = '32'] = cidr.split('/')
  const size = 2 ** (32 - Number(bits))
  return Math.floor(ipToNumber(ip) / size) === Math.floor(ipToNumber(base) / size)
}

/** Whether `from` may reach an address outside the cluster (`ip`) on `port`. */
export function mayReachAddress(objects: readonly K8sObject[], from: Pod, ip: string, port: number): boolean {
  const egress = policiesOf(objects).filter((p) => p.namespace === from.namespace && matches(p.spec.podSelector, from.labels) && types(p.spec).includes('Egress'))
  if (egress.length === 0) return true
  return egress.some((p) =>
    (p.spec.egress ?? []).some((rule) => {
      const peerOk = rule.to === undefined || rule.to.some((peer) => peer.ipBlock !== undefined && inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((cidr) => inCidr(ip, cidr)))
      return peerOk && portAllowed(rule.ports, { port })
    }),
  )
}
