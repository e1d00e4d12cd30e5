#!/usr/bin/env bash
# Makes this machine ready for `--runtime container` without an image registry:
#   1. dockerd present (Debian's docker.io, installed when missing and we are root),
#   2. dockerd running, with no iptables rules, no masquerading and no bridge:
#      every container of the harness uses host networking on 127.0.0.1,
#   3. the one base image every Dockerfile of the project starts from,
#      debian:bookworm-slim, made from Debian's own packages with debootstrap and
#      `docker import` when the tag is missing (a machine with a registry pulls it).
# Idempotent: each step checks first and does nothing when already done.
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian),
#   DOCKERD_LOG (default /var/log/iii-conformance-dockerd.log).
set -euo pipefail

BASE_TAG=debian:bookworm-slim
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/iii-conformance-dockerd.log}

say() { printf 'docker-setup: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 2
}

apt_install() {
  [ "$(id -u)" = 0 ] || die "$* missing and not root: install it (Debian: apt-get install $*)"
  command -v apt-get >/dev/null || die "$* missing and no apt-get here: install $* yourself"
  say "installing $* from Debian (apt-get)…"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}

ensure_dockerd() {
  if docker info >/dev/null 2>&1; then
    return
  fi
  if ! command -v dockerd >/dev/null; then
    apt_install docker.io
  fi
  [ "$(id -u)" = 0 ] || die "the Docker daemon is not running; start it (needs root)"
  say "starting dockerd --iptables=false --ip-masq=false --bridge=none (log: $DOCKERD_LOG)…"
  # setsid: the daemon must outlive this script and the CI step that ran it.
  setsid dockerd --iptables=false --ip-masq=false --bridge=none \
    >>"$DOCKERD_LOG" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    if docker info >/dev/null 2>&1; then
      say "dockerd is up ($(docker version --format '{{.Server.Version}}'))"
      return
    fi
    sleep 0.5
  done
  tail -n 20 "$DOCKERD_LOG" >&2 || true
  die "dockerd did not answer within 60 s; its log is above"
}

# debootstrap's minbase is what the official slim image is made of: essential
# packages plus apt. Docs and apt lists are dropped to keep it small.
ensure_base_image() {
  if docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
    return
  fi
  command -v debootstrap >/dev/null || apt_install debootstrap
  local root
  root=$(mktemp -d /tmp/iii-conformance-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  say "making $BASE_TAG with debootstrap --variant=minbase $SUITE from $MIRROR…"
  debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >/dev/null
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/var/log/*.log
  tar -C "$root" --numeric-owner -c . |
    docker import \
      --change 'CMD ["bash"]' \
      --change 'LABEL org.iii-conformance.base=debootstrap' \
      --message "debootstrap --variant=minbase $SUITE $MIRROR" \
      - "$BASE_TAG" >/dev/null
  rm -rf "$root"
  trap - EXIT
  say "made $BASE_TAG ($(docker image inspect --format '{{.Id}}' "$BASE_TAG"))"
}

ensure_dockerd
ensure_base_image
say "ready: dockerd running, $BASE_TAG present"
