#!/usr/bin/env bash
# VMware's vSphere simulator (vcsim, from Debian's govmomi source) for trying the portal on vSphere and for the tests.
#   scripts/vcsim.sh [--listen 127.0.0.1:8989] [--username U --password P]   runs it; prints {"url", "sha1", "sha256"}
#   scripts/vcsim.sh --build                                                  only builds it and prints the binary's path
# Installs golang-go and golang-github-vmware-govmomi-dev when missing (as root, or through sudo); the binary is cached
# by govmomi's version under ${XDG_CACHE_HOME:-~/.cache}/provisioning-portal/vcsim, so it is built once per version.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v go >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/github.com/vmware/govmomi/simulator ]; then
    echo "Installing golang-go golang-github-vmware-govmomi-dev" >&2
    as_root apt-get update -q >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q golang-go golang-github-vmware-govmomi-dev >&2
fi

version="$(dpkg-query -W -f='${Version}' golang-github-vmware-govmomi-dev)"
launcher_hash="$(sha256sum "$repo/tools/vcsim/main.go" | cut -c1-12)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/provisioning-portal/vcsim/$version-$launcher_hash"
binary="$cache/vcsim"
if [ ! -x "$binary" ]; then
    echo "Building vcsim (govmomi $version) into $cache" >&2
    mkdir -p "$cache"
    (cd "$repo/tools/vcsim" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o "$binary.tmp" .)
    mv "$binary.tmp" "$binary"
fi

if [ "${1:-}" = "--build" ]; then
    echo "$binary"
    exit 0
fi

# The launcher's flags are Go's (-listen); accept the --long spelling too.
args=()
for arg in "$@"; do
    case "$arg" in
        --*) args+=("${arg#-}") ;;
        *) args+=("$arg") ;;
    esac
done
exec "$binary" "${args[@]}"
