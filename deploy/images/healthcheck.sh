#!/bin/bash
# The images' HEALTHCHECK: asks the part in this container for its protocol
# health endpoint (/_dx/health on the gateway, /health on a service) and
# succeeds only on a 200. Plain bash (/dev/tcp), so a check costs no Node.js or
# Python start every few seconds, and the image needs no curl.
path=/health
[ "${DX_PART:-}" = gateway ] && path=/_dx/health
exec 3<>"/dev/tcp/127.0.0.1/${PORT:-8080}" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$path" >&3
read -r -t 5 _ status _ <&3 && [ "$status" = 200 ]
