/**
 * The nginx configuration for the SSI composer: a static page whose three
 * `<!--# include virtual -->` lines nginx fills from the fragment servers
 * (subrequests run in parallel, over kept-alive upstream connections).
 * Every path nginx writes to is inside the run's own folder, so it runs
 * without root and without touching the system's nginx setup.
 */
import { SERVICES, widgetPath } from './fragments.js'

export interface NginxSite {
  /** Folder for the config, the page, temp files and the pid file. */
  dir: string
  port: number
  /** Base URL of each fragment server, by service name. */
  fragments: Record<string, string>
  fragmentTimeoutMs: number
}

export function ssiPage(): string {
  const slots = SERVICES.map((service) => `<div class="bench-slot"><!--# include virtual="${widgetPath(service)}" --></div>`)
  return `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Bench</title></head>\n<body>\n<main>\n${slots.join('\n')}\n</main>\n</body>\n</html>\n`
}

export function nginxConfig(site: NginxSite): string {
  const seconds = `${Math.ceil(site.fragmentTimeoutMs / 1000)}s`
  const upstreams = SERVICES.map((service) => {
    const address = new URL(site.fragments[service] ?? '').host
    return `  upstream ${service} {\n    server ${address};\n    keepalive 64;\n    keepalive_requests 1000000;\n  }`
  })
  const locations = SERVICES.map((service) => `    location /${service}/ {\n      proxy_pass http://${service};\n    }`)
  return `worker_processes 1;
pid ${site.dir}/nginx.pid;
error_log stderr warn;

events {
  worker_connections 1024;
}

http {
  access_log off;
  client_body_temp_path ${site.dir}/client_body;
  proxy_temp_path ${site.dir}/proxy;
  fastcgi_temp_path ${site.dir}/fastcgi;
  uwsgi_temp_path ${site.dir}/uwsgi;
  scgi_temp_path ${site.dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 60s;

${upstreams.join('\n')}

  server {
    listen 127.0.0.1:${site.port};

    location = / {
      rewrite ^ /page.html last;
    }
    location = /page.html {
      internal;
      root ${site.dir}/html;
      default_type text/html;
      charset utf-8;
      add_header cache-control no-store;
      ssi on;
    }

    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_connect_timeout ${seconds};
    proxy_read_timeout ${seconds};
${locations.join('\n')}
  }
}
`
}
