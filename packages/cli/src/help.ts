/**
 * @module help
 * The text of `distributex --help`.
 */
export const HELP = `distributex: one live web application from independently deployed services

Usage:
  distributex start [name...]   Start the gateway and services (all by default).
                                Names: "gateway", the services and the internal parts
                                (e.g. ledger) in the config.
                                Each name can run in its own process:
                                  distributex start todo
                                  distributex start gateway
                                A service's "module" is looked up from the config file's
                                folder; a "command" service that crashes is restarted.
  distributex cluster           Several processes of the gateway and of every service
                                (2 each by default) on the broker in DISTRIBUTEX_BUS
                                and the database in DATABASE_URL; restarts crashed ones.
  distributex check <url|name>  Check a running service, in any language, against the
                                protocol (docs/protocol.md): one line per rule with the
                                reason and the section. Exit 0 when all pass, 1 when a
                                rule fails, 2 when the service cannot be reached.
                                A name is looked up in the config: distributex check polls
                                The rules that need a signed identity use DX_SECRET, or
                                the secret "distributex start" keeps in ./data.
  distributex --help            Show this help.
  distributex --version         Show the version.

Options:
  -c, --config <file>   Configuration file (default: distributex.config.json)
      --log-level <l>   fatal, error, warn, info (default), debug, trace or silent
  -p, --port <n>        Port for the one part being started (default: from the config)
  -n, --instances <n>   Processes per part in cluster mode (default 2)
      --json            check: print the report as JSON
      --timeout <ms>    check: limit for each request (default 5000)

Environment:
  DATABASE_URL          PostgreSQL URL; without it each service keeps a SQLite file in ./data
  DISTRIBUTEX_BUS       Event bus: redis://host:6379, nats://host:4222 or kafka://host:9092
                        (a cluster: redis-cluster://host:port,host:port, nats://host:port,host:port);
                        default: in-process (live updates only between parts of one process)
  DX_SECRET             Secret the gateway signs identities with (default: ./data/.dx-secret)
  DX_SERVICE_<NAME>_URL Where the gateway reaches a service (overrides the config)
  DX_HOST               Address to listen on (default 127.0.0.1)
  DX_<NAME>_HOST        Address an internal part listens on (default: its "host" in the config)
  DX_<NAME>_ADDRESS     Where the services reach an internal part, host:port
  DX_GATEWAY_URL        The main app's URL, for links from a service's own pages
  DX_LOG_LEVEL          Log level (default info)
  DX_ADMIN_PASSWORD     Password of the gateway's admin page (default: only from this machine)

Examples:
  npx distributex start                 everything on one machine
  npx distributex start gateway         only the gateway
  DATABASE_URL=postgres://localhost/app npx distributex start todo
  DX_SECRET=… npx distributex check http://127.0.0.1:4004 --json
`
