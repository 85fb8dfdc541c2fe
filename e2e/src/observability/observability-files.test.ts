/**
 * deploy/observability: the alert rules and the Prometheus configuration pass
 * `promtool check`, and the Grafana dashboard is a dashboard Grafana loads
 * (uid, title, schemaVersion, panels with positions and Prometheus targets)
 * whose every query is valid PromQL over metrics the processes serve.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

const dir = resolve(fileURLToPath(new URL('../../../deploy/observability', import.meta.url)))
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((path) => existsSync(path))
const skip = PROMTOOL ? false : 'promtool is not installed (Debian package "prometheus")'
if (!PROMTOOL && process.env.CI === 'true') throw new Error('promtool is not installed, but CI=true requires the observability checks (apt-get install prometheus)')

const promtool = (...args: string[]) => execFileSync(PROMTOOL as string, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

const Dashboard = z.object({
  uid: z.string().min(1),
  title: z.string().min(1),
  schemaVersion: z.number().int().min(30),
  panels: z
    .array(
      z.object({
        id: z.number().int(),
        type: z.string(),
        title: z.string().min(1),
        gridPos: z.object({ h: z.number(), w: z.number(), x: z.number(), y: z.number() }),
        datasource: z.object({ type: z.literal('prometheus'), uid: z.string() }),
        targets: z.array(z.object({ refId: z.string(), expr: z.string().min(1) })).min(1),
      }),
    )
    .min(1),
})

test('observability - alert rules and the Prometheus configuration pass promtool', { skip }, () => {
  assert.match(promtool('check', 'rules', join(dir, 'alerts.yml')), /SUCCESS: 6 rules found/)
  assert.match(promtool('check', 'config', join(dir, 'prometheus.yml')), /valid prometheus config file syntax/)
})

test('observability - the Grafana dashboard loads, and every query is valid PromQL over served metrics', { skip }, () => {
  const dashboard = Dashboard.parse(JSON.parse(readFileSync(join(dir, 'grafana-dashboard.json'), 'utf8')))
  assert.equal(new Set(dashboard.panels.map((panel) => panel.id)).size, dashboard.panels.length, 'panel ids are unique')
  const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr))
  for (const expr of exprs) assert.match(expr, /\b(dx_[a-z_]+|nodejs_[a-z_]+|process_[a-z_]+)/, `a query over distributex metrics: ${expr}`)
  // promtool parses PromQL in rule files: each query becomes a recording rule.
  const work = mkdtempSync(join(tmpdir(), 'dx-dashboard-'))
  const rules = ['groups:', '  - name: dashboard', '    rules:', ...exprs.flatMap((expr, i) => [`      - record: dashboard:panel_${i}`, `        expr: ${JSON.stringify(expr)}`])].join('\n')
  writeFileSync(join(work, 'dashboard-rules.yml'), `${rules}\n`)
  assert.match(promtool('check', 'rules', join(work, 'dashboard-rules.yml')), new RegExp(`SUCCESS: ${exprs.length} rules found`))
})
