#!/usr/bin/env bash
# Builds the GitHub Action's container image with buildah, without a Docker engine or a registry.
#
#   bash scripts/build-image.sh                # the base (once), then the action image
#   bash scripts/build-image.sh --rebuild-base # make the local Debian base again
#
# The Dockerfile starts FROM ${BASE_IMAGE} (the official python slim image on GitHub). Machines
# that cannot pull from a container registry build from a local base instead: Debian bookworm
# made with debootstrap from the machine's own Debian mirror (the one in its apt sources), with
# python3, venv, pip, git and CA certificates, committed as localhost/debian-python:bookworm.
# buildah keeps it in its storage, so it is made once per machine. Set BASE_IMAGE to build from
# another base (then no local base is made).
#
# Environment: IMAGE (default localhost/readiness-action:dev), BASE_IMAGE, DEBIAN_MIRROR (default:
# the bookworm mirror of /etc/apt/sources.list{,.d}), CA_BUNDLE (default the host's bundle, mounted
# read-only into the build so downloads work behind a TLS-intercepting proxy), BUILDAH_STORAGE_DRIVER
# (default vfs: works in any container, no fuse-overlayfs or kernel overlay needed).
# Needs root, buildah and debootstrap (Debian packages of the same names).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
local_base="localhost/debian-python:bookworm"
image="${IMAGE:-localhost/readiness-action:dev}"
base="${BASE_IMAGE:-$local_base}"
ca_bundle="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
buildah=(buildah --storage-driver "${BUILDAH_STORAGE_DRIVER:-vfs}")
rebuild_base=false
for arg in "$@"; do
  case "$arg" in
    --rebuild-base) rebuild_base=true ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-image: unknown argument: $arg" >&2; exit 2 ;;
  esac
done
PATH="$PATH:/usr/sbin:/sbin"  # debootstrap lives in /usr/sbin
need() {
  command -v "$1" >/dev/null || { echo "build-image: $1 is not installed (apt-get install $1)" >&2; exit 1; }
}
need buildah

debian_mirror() {  # the first Debian mirror that serves bookworm in the host's apt sources
  local file files=()
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] && files+=("$file")
  done
  [ "${#files[@]}" -gt 0 ] || return 0
  awk '
    function flush() { if (types ~ /(^| )deb( |$)/ && suites ~ /(^| )bookworm( |$)/ && uris != "" && !found) { split(uris, u, " "); print u[1]; found = 1 } types = suites = uris = "" }
    FNR == 1 { flush() }
    /^[ \t]*#/ { next }
    FILENAME ~ /\.list$/ && $1 == "deb" {
      i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
      if ($(i + 1) == "bookworm" && !found) { print $i; found = 1 }
      next
    }
    /^[ \t]*$/ { flush(); next }
    tolower($1) == "types:" { $1 = ""; types = $0 }
    tolower($1) == "suites:" { $1 = ""; suites = $0 }
    tolower($1) == "uris:" { $1 = ""; uris = $0; sub(/^ +/, "", uris) }
    END { flush() }
  ' "${files[@]}" 2>/dev/null | head -n 1
}

has_image() { "${buildah[@]}" inspect --type image "$1" >/dev/null 2>&1; }

build_local_base() {
  need debootstrap
  local mirror="${DEBIAN_MIRROR:-$(debian_mirror)}"
  [ -n "$mirror" ] || { echo "build-image: no bookworm mirror in the apt sources; set DEBIAN_MIRROR" >&2; exit 1; }
  local rootfs container mount started=$SECONDS
  rootfs="$(mktemp -d /var/tmp/readiness-rootfs.XXXXXX)"
  container=""
  # shellcheck disable=SC2064
  trap "rm -rf '$rootfs'; [ -z \"\$container\" ] || ${buildah[*]} rm \"\$container\" >/dev/null 2>&1 || true" EXIT
  echo "build-image: debootstrap bookworm from $mirror"
  debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates,git \
    bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { tail -n 30 "$rootfs.log" >&2; rm -f "$rootfs.log"; echo "build-image: debootstrap failed" >&2; exit 1; }
  rm -f "$rootfs.log"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/tmp/* "$rootfs"/var/log/*.log
  container="$("${buildah[@]}" from scratch)"
  mount="$("${buildah[@]}" mount "$container")"
  tar -C "$rootfs" -cf - . | tar -C "$mount" -xpf -
  "${buildah[@]}" umount "$container" >/dev/null
  "${buildah[@]}" config \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env LANG=C.UTF-8 \
    --cmd /bin/bash --label org.opencontainers.image.description="Debian bookworm with python3, venv, pip, git (debootstrap)" \
    "$container"
  "${buildah[@]}" commit --quiet --rm "$container" "$local_base" >/dev/null
  container=""
  rm -rf "$rootfs"
  trap - EXIT
  echo "build-image: made $local_base in $((SECONDS - started)) s"
}

if [ "$base" = "$local_base" ] && { $rebuild_base || ! has_image "$local_base"; }; then
  old_base="$("${buildah[@]}" images --quiet --no-trunc "$local_base" 2>/dev/null || true)"
  build_local_base
  # The base it replaced, unless an image still builds on it.
  [ -z "$old_base" ] || "${buildah[@]}" rmi "$old_base" >/dev/null 2>&1 || true
fi

volumes=()
[ -f "$ca_bundle" ] && volumes+=(-v "$ca_bundle:/etc/ssl/certs/ca-certificates.crt:ro")
previous="$("${buildah[@]}" images --quiet --no-trunc "$image" 2>/dev/null || true)"
started=$SECONDS
echo "build-image: building $image from $base"
"${buildah[@]}" bud --isolation chroot --network host --layers=false \
  --build-arg "BASE_IMAGE=$base" --build-arg GO_SOURCE=debian "${volumes[@]}" \
  -f "$here/Dockerfile" -t "$image" "$here"
# The image this build replaced is left untagged: remove it (vfs storage keeps full copies).
current="$("${buildah[@]}" images --quiet --no-trunc "$image")"
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
  "${buildah[@]}" rmi "$previous" >/dev/null 2>&1 || true
fi
echo "build-image: built $image in $((SECONDS - started)) s"
