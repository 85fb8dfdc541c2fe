# nginx from Debian, unprivileged: the load balancer in front of the gateways
# (and, with another configuration, the tests' Hacker News stand-in). Installs
# the package unless the base has it already (the tests' local base does).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN command -v nginx >/dev/null 2>&1 \
 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light && rm -rf /var/lib/apt/lists/*)
COPY nginx-lb.conf /etc/nginx/distributex.conf
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=3s --timeout=3s --retries=5 CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /_lb/health HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
# SIGQUIT: finish the requests in flight before exiting.
STOPSIGNAL SIGQUIT
CMD ["nginx", "-c", "/etc/nginx/distributex.conf", "-g", "daemon off;"]
