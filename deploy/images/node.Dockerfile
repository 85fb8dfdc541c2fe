# One image per TypeScript part of distributex: the gateway, a service, or an
# internal part (the Ledger).
#   node deploy/dist/stage-cli.js todo            # writes deploy/.build/todo (after npm run build)
#   docker build -f deploy/images/node.Dockerfile --build-arg SERVICE=todo -t distributex/todo deploy/.build/todo
# The context holds deps/ (production dependencies only, from package-lock.json)
# and app/ (compiled code), so the dependency layer is rebuilt only when the
# lockfile changes.
# BASE_IMAGE: where Node.js comes from: any image with Node.js 20 at
# /usr/local/bin/node (the official slim image by default).
# RUNTIME_IMAGE: what the image runs on: any Debian bookworm image (the official
# slim image by default). Only the `node` binary is copied onto it: a running
# part never uses npm, yarn or corepack, which make up a good part of the Node.js
# image (docs/deploy.md, "Sizes").
# HEALTH: `http` (the protocol's health endpoint) or `grpc` (an internal part:
# its server must answer an HTTP/2 handshake).
ARG BASE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS node

FROM ${BASE_IMAGE} AS deps
COPY deps/ /app/
# Native modules keep only what they load (the context leaves out their sources already; this catches the rest).
RUN find /app/node_modules -type f \( -name '*.c' -o -name '*.cc' -o -name '*.cpp' -o -name '*.h' -o -name '*.hpp' -o -name '*.gyp' -o -name '*.gypi' -o -name '*.a' \) -delete

FROM ${RUNTIME_IMAGE}
ARG SERVICE
ARG HEALTH=http
ENV NODE_ENV=production \
    DX_PART=${SERVICE} \
    DX_HEALTH=${HEALTH} \
    DX_HOST=0.0.0.0 \
    PORT=8080 \
    DX_DATA_DIR=/data \
    HOME=/tmp
COPY --from=node /usr/local/bin/node /usr/local/bin/node
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
