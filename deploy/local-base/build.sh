#!/usr/bin/env bash
# Makes the local base images the deploy test builds on, where no image registry
# can be reached: Debian bookworm (debootstrap --variant=minbase, from Debian's
# package mirror) plus, per flavour,
#   debian  tini only: the stand-in for debian:bookworm-slim, the runtime stage
#           of the Node.js images
#   node    the debian flavour plus this machine's Node.js binary: the stand-in
#           for node:20-bookworm-slim (without npm, yarn and corepack)
#   python  Debian's python3 and tini (Polls)
#   infra   Debian's postgresql, redis-server and nginx (the database, the bus,
#           the load balancer and the Hacker News stand-in)
# imported with `docker import` (node: one layer on debian). Each image is tagged
# with a key made of this script's content and the Node.js version, so a later
# run finds it and skips it.
# Prints the four image names, one per line: debian, node, python, infra.
set -euo pipefail

cache="${DX_DEPLOY_CACHE:-/var/cache/distributex-deploy}"
mirror="${DX_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
node_bin="$(command -v node)"
node_version="$("$node_bin" --version)"
key="$( (cat "$0"; echo "$node_version") | sha256sum | cut -c1-12)"

declare -A packages=(
  [debian]="tini"
  [python]="tini,python3"
  [infra]="tini,postgresql-15,redis-server,nginx-light"
)

build_flavour() {
  local flavour="$1" image="$2" root
  root="$(mktemp -d "$cache/root-$flavour.XXXXXX")"
  echo "local base: debootstrap $flavour ($image)" >&2
  nice -n 10 debootstrap --variant=minbase --include="${packages[$flavour]}" --cache-dir="$cache/debs" \
    bookworm "$root" "$mirror" >"$cache/debootstrap-$flavour.log" 2>&1 \
    || { tail -20 "$cache/debootstrap-$flavour.log" >&2; exit 1; }
  # What a container never needs: package lists, caches, documentation, translations.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
    "$root"/var/log/* "$root"/etc/hostname
  : >"$root/etc/resolv.conf"
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/sh"]' - "$image" >/dev/null
  rm -rf "$root"
}

# The node flavour: the debian flavour and one layer holding the Node.js binary,
# as the images' runtime stage copies it.
build_node() {
  local image="$1" debian="$2" context
  context="$(mktemp -d "$cache/node.XXXXXX")"
  install -m 0755 "$node_bin" "$context/node"
  printf 'FROM %s\nCOPY node /usr/local/bin/node\n' "$debian" >"$context/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q --network none -t "$image" "$context" >/dev/null
  rm -rf "$context"
}

mkdir -p "$cache/debs"
for flavour in debian node python infra; do
  image="distributex-local/$flavour:$key"
  if ! docker image inspect "$image" >/dev/null 2>&1; then
    if [ "$flavour" = node ]; then build_node "$image" "distributex-local/debian:$key"
    else build_flavour "$flavour" "$image"; fi
  fi
  echo "$image"
done
