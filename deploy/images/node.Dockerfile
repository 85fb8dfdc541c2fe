# One image per TypeScript part of distributex: the gateway, a service, or an
# internal part (the Ledger).
#   node deploy/dist/stage-cli.js todo            # writes deploy/.build/todo (after npm run build)
#   docker build -f deploy/images/node.Dockerfile --build-arg SERVICE=todo -t distributex/todo deploy/.build/todo
# The context holds deps/ (production dependencies only, from package-lock.json)
# and app/ (compiled code), so the dependency layer is rebuilt only when the
# lockfile changes. BASE_IMAGE: any Debian bookworm image with Node.js 20 at
# /usr/local/bin/node (the official slim image by default).
# HEALTH: `http` (the protocol's health endpoint) or `grpc` (an internal part:
# its server must answer an HTTP/2 handshake).
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS deps
COPY deps/ /app/
# Native modules keep only what they load: their C/C++ sources and build files go.
RUN find /app/node_modules -type f \( -name '*.c' -o -name '*.cc' -o -name '*.cpp' -o -name '*.h' -o -name '*.gyp' -o -name '*.gypi' \) -delete

FROM ${BASE_IMAGE}
ARG SERVICE
ARG HEALTH=http
ENV NODE_ENV=production \
    DX_PART=${SERVICE} \
    DX_HEALTH=${HEALTH} \
    DX_HOST=0.0.0.0 \
    PORT=8080 \
    DX_DATA_DIR=/data \
    HOME=/tmp
WORKDIR /app
COPY --from=deps /app/ /app/
COPY app/ /app/
# Runs as an unprivileged user that owns nothing but its data volume; the root
# filesystem can be read-only (compose read_only, Kubernetes readOnlyRootFilesystem).
RUN test -n "$SERVICE" || { echo "build with --build-arg SERVICE=<gateway|service>" >&2; exit 1; } \
 && mkdir -p /data/ui-assets && chown -R 10001:10001 /data
USER 10001:10001
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=6s --start-period=30s --retries=5 CMD ["/app/healthcheck.sh"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/entrypoint.sh"]
