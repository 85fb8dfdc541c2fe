/**
 * Acceptance 3 of "run it anywhere": every overlay of deploy/k8s renders, every
 * rendered object validates against the Kubernetes schemas, the objects have
 * what production needs (probes, resources, security contexts, disruption
 * budgets, autoscalers, secrets only by reference), and the NetworkPolicies,
 * evaluated as Kubernetes would, admit exactly the network matrix compose holds.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, test } from 'node:test'
import { parseAllDocuments } from 'yaml'
import { renderKustomization, type K8sObject } from './kustomize-render.js'
import { KUBERNETES_SCHEMA_VERSION, schemaProblems } from './k8s-schema.js'
import { mayConnect, mayReachAddress, podsOf, type Pod } from './k8s-reachability.js'
import { allowed, INTERNET_EGRESS, PARTS, type Part } from './network-matrix.js'

const K8S = fileURLToPath(new URL('../k8s', import.meta.url))
const OVERLAYS = readdirSync(join(K8S, 'overlays')).sort()
const INGRESS_CONTROLLER: Pod = {
  name: 'lb',
  namespace: 'ingress-nginx',
  labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
  namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
  ports: [{ port: 443, name: 'https' }],
}
const KUBE_DNS: Pod = { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' }, ports: [{ port: 53, name: 'dns-tcp' }] }

type Workload = K8sObject & { spec: { template: { spec: { containers: Array<Record<string, unknown>>; securityContext?: Record<string, unknown> } } } }

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0

function key(object: K8sObject): string {
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`
}

for (const overlay of OVERLAYS) {
  describe(`k8s - overlay ${overlay}`, () => {
    const objects = renderKustomization(join(K8S, 'overlays', overlay))
    const workloads = objects.filter((o): o is Workload => o.kind === 'Deployment' || o.kind === 'StatefulSet')

    test(`k8s - ${overlay} renders the same objects as kubectl kustomize`, { skip: kubectl ? false : 'kubectl is not installed; our renderer alone is used' }, () => {
      const rendered = spawnSync('kubectl', ['kustomize', join(K8S, 'overlays', overlay)], { encoding: 'utf8' })
      assert.equal(rendered.status, 0, rendered.stderr)
      const theirs = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as K8sObject)
      const byKey = (list: K8sObject[]) => Object.fromEntries(list.map((o) => [key(o), o]))
      assert.deepEqual(byKey(objects), byKey(theirs))
    })

    test(`k8s - every object of ${overlay} validates against the Kubernetes ${KUBERNETES_SCHEMA_VERSION} schemas`, async () => {
      const problems = (await Promise.all(objects.map((object) => schemaProblems(object)))).flat()
      assert.deepEqual(problems, [])
      assert.ok(objects.length >= 30, `${objects.length} objects`)
    })

    test(`k8s - ${overlay}: probes, resources, non-root read-only containers, budgets, autoscalers, one ingress to the gateway, secrets by reference`, () => {
      for (const workload of workloads) {
        const pod = workload.spec.template.spec
        assert.equal(pod.securityContext?.runAsNonRoot, true, `${workload.metadata.name} runs as non-root`)
        for (const container of pod.containers) {
          const name = `${workload.metadata.name}/${String(container.name)}`
          assert.ok(container.readinessProbe && container.livenessProbe, `${name} has readiness and liveness probes`)
          if (workload.kind === 'Deployment') assert.ok(container.startupProbe, `${name} has a startup probe`)
          assert.ok((container.resources as { requests?: unknown })?.requests, `${name} requests resources`)
          assert.equal((container.securityContext as { readOnlyRootFilesystem?: boolean })?.readOnlyRootFilesystem, true, `${name} has a read-only root filesystem`)
          assert.equal(JSON.stringify(container.env ?? []).includes('"value":"postgres://'), false, `${name} takes no credentials from its manifest`)
        }
      }
      const names = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort()
      assert.deepEqual(names('PodDisruptionBudget'), ['bounties', 'chat', 'gateway', 'identity', 'ledger', 'news', 'todo'])
      assert.deepEqual(names('HorizontalPodAutoscaler'), ['chat', 'gateway'])
      const ingresses = objects.filter((o) => o.kind === 'Ingress')
      assert.equal(ingresses.length, 1)
      const backends = JSON.stringify(ingresses[0]?.spec).match(/"service":\{"name":"[^"]+"/g) ?? []
      assert.deepEqual([...new Set(backends)], ['"service":{"name":"gateway"'], 'the ingress reaches the gateway only')
      if (overlay === 'prod') assert.deepEqual(names('Secret'), [], 'production refers to its Secret, never carries one')
    })

    test(`k8s - ${overlay}: the NetworkPolicies admit exactly the network matrix (the one compose holds, with direction)`, () => {
      const pods = podsOf(objects, INGRESS_CONTROLLER)
      const podOf = (part: Part) => pods.find((pod) => pod.name === part)
      const wrong: string[] = []
      for (const from of PARTS) {
        for (const to of PARTS) {
          if (from === to || to === 'lb') continue
          const source = podOf(from)
          const target = podOf(to)
          assert.ok(source && target, `pods for ${from} and ${to}`)
          const reached = target.ports.some((port) => mayConnect(objects, source, target, port))
          if (reached !== allowed(from, to)) wrong.push(`${from} → ${to}: ${reached ? 'admitted' : 'denied'}`)
        }
      }
      assert.deepEqual(wrong, [])
      const ledger = podOf('ledger') as Pod
      assert.deepEqual(pods.filter((pod) => ledger.ports.some((port) => mayConnect(objects, pod, ledger, port))).map((pod) => pod.name), ['bounties'], 'only Bounties reaches the Ledger')
      // Compose holds the same matrix without direction (docker networks): network-matrix.test reads its files, deploy.test its containers.
      for (const pod of pods.filter((p) => p.namespace !== 'ingress-nginx')) {
        assert.ok(mayConnect(objects, pod, KUBE_DNS, { port: 53 }), `${pod.name} resolves names`)
        const internet = INTERNET_EGRESS.includes(pod.name as Part)
        assert.equal(mayReachAddress(objects, pod, '93.184.216.34', 443), internet, `${pod.name} ${internet ? 'reaches' : 'cannot reach'} the internet on 443`)
        assert.equal(mayReachAddress(objects, pod, '93.184.216.34', 80), false, `${pod.name} cannot reach the internet on 80`)
        assert.equal(mayReachAddress(objects, pod, '10.1.2.3', 443), false, `${pod.name} cannot reach private addresses through the internet rule`)
      }
    })
  })
}
