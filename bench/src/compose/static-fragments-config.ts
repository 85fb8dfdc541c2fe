/**
 * The nginx configuration for composer-only mode: the three services' fragments,
 * manifests and health answers as static files, one `server` per service on its
 * own port (as the Node fragment servers have), with the same paths and headers
 * (`x-dx-service-version`, `podlet-version`). nginx serves a 2 KB file for a few
 * microseconds of CPU, so the fragments are no longer what limits a composer.
 * Every path nginx writes to is inside the run's own folder.
 */
import { SERVICES, SERVICE_VERSION, widgetPath, type ServiceName } from './fragments.js'

export interface StaticSite {
  dir: string
  ports: Record<ServiceName, number>
}

/** Files each service's folder holds, by URL path. */
export function staticFiles(service: ServiceName): Record<string, { file: string; type: string }> {
  return {
    '/_dx/manifest': { file: 'dx-manifest.json', type: 'application/json' },
    '/health': { file: 'health.json', type: 'application/json' },
    [`/${service}/manifest.json`]: { file: 'podlet-manifest.json', type: 'application/json' },
    [widgetPath(service)]: { file: 'widget.html', type: 'text/html' },
  }
}

function serverBlock(dir: string, service: ServiceName, port: number): string {
  const locations = Object.entries(staticFiles(service)).map(
    ([path, { file, type }]) =>
      `    location = ${path} {\n      default_type ${type};\n      alias ${dir}/${service}/${file};\n` +
      `      add_header x-dx-service-version ${SERVICE_VERSION};\n      add_header podlet-version ${SERVICE_VERSION};\n      add_header cache-control no-store;\n    }`,
  )
  return `  server {\n    listen 127.0.0.1:${port} reuseport backlog=4096;\n${locations.join('\n')}\n  }`
}

export function staticNginxConfig(site: StaticSite): string {
  return `worker_processes 1;
pid ${site.dir}/nginx.pid;
error_log stderr warn;

events {
  worker_connections 4096;
}

http {
  access_log off;
  client_body_temp_path ${site.dir}/client_body;
  proxy_temp_path ${site.dir}/proxy;
  fastcgi_temp_path ${site.dir}/fastcgi;
  uwsgi_temp_path ${site.dir}/uwsgi;
  scgi_temp_path ${site.dir}/scgi;
  sendfile on;
  tcp_nopush on;
  etag off;
  charset utf-8;
  charset_types application/json;
  keepalive_requests 1000000;
  keepalive_timeout 60s;

${SERVICES.map((service) => serverBlock(site.dir, service, site.ports[service])).join('\n')}
}
`
}
