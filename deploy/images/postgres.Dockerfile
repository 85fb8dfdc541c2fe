# PostgreSQL 15 from Debian, for compose (Kubernetes users bring a managed or
# operator-run database). Installs the packages unless the base has them
# already (the local base used by the tests does: nothing is downloaded then).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN command -v /usr/lib/postgresql/15/bin/postgres >/dev/null 2>&1 \
 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 && rm -rf /var/lib/apt/lists/*)
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
# The same numeric user as every distributex image (10001), so Kubernetes' runAsNonRoot can verify it.
RUN usermod -u 10001 postgres && groupmod -g 10001 postgres \
 && mkdir -p /var/lib/postgresql/data && chown -R postgres:postgres /var/lib/postgresql && chmod 0700 /var/lib/postgresql/data
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
USER 10001:10001
VOLUME /var/lib/postgresql/data
EXPOSE 5432
HEALTHCHECK --interval=3s --timeout=3s --start-period=20s --retries=5 CMD ["pg_isready", "-q", "-h", "127.0.0.1", "-U", "distributex"]
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
