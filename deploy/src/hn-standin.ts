/**
 * @module hn-standin
 * The Hacker News stand-in the deploy tests give Tech News instead of the real
 * API: nginx serving a handful of fixed stories at the API's paths, on a network
 * without a way out. Tests never reach the internet.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const CONF = `worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  default_type application/json;
  server { listen 8080; root /srv/api; location = /_lb/health { return 200 "ok\\n"; } }
}
`

/** Stories of the stand-in, by list. */
export const STANDIN_STORIES = ['Containers all the way down', 'A load balancer in front of two gateways', 'Network policies, explained'] as const

/** Writes the stand-in's configuration and API files into `dir` (mounted at /srv). */
export function writeHackerNewsStandin(dir: string): void {
  mkdirSync(join(dir, 'api', 'v0', 'item'), { recursive: true })
  writeFileSync(join(dir, 'hn-standin.conf'), CONF)
  const ids = STANDIN_STORIES.map((_, i) => 9_000_001 + i)
  for (const list of ['top', 'new', 'best', 'ask', 'show']) writeFileSync(join(dir, 'api', 'v0', `${list}stories.json`), JSON.stringify(ids))
  STANDIN_STORIES.forEach((title, i) => {
    const item = { id: ids[i], type: 'story', by: 'standin', time: 1_790_000_000 + i, title, url: `https://example.org/${i}`, score: 10 + i, descendants: i }
    writeFileSync(join(dir, 'api', 'v0', 'item', `${ids[i]}.json`), JSON.stringify(item))
  })
}
