#!/bin/bash
# The images' HEALTHCHECK. DX_HEALTH=http (default): asks the part in this
# container for its protocol health endpoint (/_dx/health on the gateway,
# /health on a service) and succeeds only on a 200. DX_HEALTH=grpc (an internal
# part such as the Ledger, which speaks gRPC only): opens an HTTP/2 connection
# and succeeds only when the server answers with its SETTINGS frame. Plain bash
# (/dev/tcp) and coreutils, so a check costs no Node.js or Python start every
# few seconds, and the image needs no curl.
exec 3<>"/dev/tcp/127.0.0.1/${PORT:-8080}" || exit 1
if [ "${DX_HEALTH:-http}" = grpc ]; then
  # The client preface, then an empty SETTINGS frame (length 0, type 4, no flags, stream 0).
  printf 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00' >&3
  type="$(timeout 5 head -c 9 <&3 | od -An -tx1 -j3 -N1 | tr -d ' \n')"
  [ "$type" = 04 ]
  exit
fi
path=/health
[ "${DX_PART:-}" = gateway ] && path=/_dx/health
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$path" >&3
read -r -t 5 _ status _ <&3 && [ "$status" = 200 ]
