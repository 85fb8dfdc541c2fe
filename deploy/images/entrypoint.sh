#!/bin/sh
# Entry point of every distributex image. Configuration comes from the
# environment only; a variable NAME_FILE (e.g. DX_SECRET_FILE=/run/secrets/dx_secret)
# sets NAME to that file's content, so secrets can be mounted as files instead
# of sitting in the environment. Then the part replaces this shell (exec), so it
# receives SIGTERM itself (under tini when the runtime adds it).
set -eu
for variable in $(env | sed -n 's/^\([A-Z][A-Z0-9_]*\)_FILE=.*/\1/p'); do
  file="$(printenv "${variable}_FILE")"
  if [ ! -r "$file" ]; then
    echo "distributex: ${variable}_FILE names $file, which cannot be read: mount the secret there" >&2
    exit 1
  fi
  export "$variable=$(cat "$file")"
  unset "${variable}_FILE"
done
if [ "$#" -gt 0 ]; then exec "$@"; fi
if [ -n "${DX_COMMAND:-}" ]; then exec $DX_COMMAND; fi
exec node /app/packages/cli/bin/distributex.js start "$DX_PART" --port "${PORT:-8080}" --config /app/distributex.config.json
