# A service written in Python (Polls: Python 3.11, standard library only).
#   node deploy/dist/stage-cli.js polls
#   docker build -f deploy/images/python.Dockerfile --build-arg SERVICE=polls --build-arg MAIN=polls.py -t distributex/polls deploy/.build/polls
# BASE_IMAGE: any Debian bookworm image with python3 (the official slim image by default).
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
COPY app/ /app/
# Bytecode compiled now, so nothing is written next to the code at run time (read-only root filesystem).
RUN python3 -m compileall -q /app

FROM ${BASE_IMAGE}
ARG SERVICE
ARG MAIN
ENV DX_PART=${SERVICE} \
    DX_HOST=0.0.0.0 \
    PORT=8080 \
    DX_DATA_DIR=/data \
    DX_COMMAND="python3 /app/${MAIN}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp
WORKDIR /app
COPY --from=build /app/ /app/
RUN mkdir -p /data && chown 10001:10001 /data
USER 10001:10001
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=6s --start-period=30s --retries=5 CMD ["/app/healthcheck.sh"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/entrypoint.sh"]
