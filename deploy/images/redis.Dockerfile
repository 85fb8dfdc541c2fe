# Redis from Debian: the event bus (Redis Streams) for compose. Installs the
# package unless the base has it already (the tests' local base does).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN command -v redis-server >/dev/null 2>&1 \
 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server && rm -rf /var/lib/apt/lists/*)
RUN mkdir -p /data && chown 10001:10001 /data
USER 10001:10001
VOLUME /data
EXPOSE 6379
HEALTHCHECK --interval=3s --timeout=3s --start-period=5s --retries=5 CMD ["redis-cli", "-h", "127.0.0.1", "ping"]
# Append-only file: streams (history, consumer groups) survive a restart.
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--dir", "/data", "--appendonly", "yes", "--save", ""]
