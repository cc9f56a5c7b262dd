#!/bin/sh
# Makes a local stand-in for the modern target's base image, python:3.11.9-slim-bookworm, for
# `make docker-check` on a machine that reaches Debian's archive but no image registry: a minimal
# Debian 12 root file system (debootstrap) with Debian's Python 3.11 (where the official image has
# its own build of 3.11.9 in /usr/local), imported into buildah's storage under NAME.
# usage (as root): stand-in-base.sh [NAME]   Does nothing when NAME already exists.
set -eu
NAME=${1:-localhost/python:3.11.9-slim-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
BUILDAH=${BUILDAH:-buildah --storage-driver vfs}

if $BUILDAH inspect --type image "$NAME" > /dev/null 2>&1; then
  echo "$NAME exists"
  exit 0
fi
root=$(mktemp -d /var/tmp/hmr-stand-in.XXXXXX)
container=
cleanup() {
  rm -rf "$root" "$root.tar"
  if [ -n "$container" ]; then $BUILDAH rm "$container" > /dev/null; fi
}
trap cleanup EXIT

# python-is-python3 gives the `python` command the official image has; ca-certificates, like the
# official image, so pip reaches PyPI over https.
debootstrap --variant=minbase --include=ca-certificates,python3,python3-venv,python3-pip,python-is-python3 \
  bookworm "$root" "$MIRROR"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/dev/*
tar -C "$root" --numeric-owner -cf "$root.tar" .

container=$($BUILDAH from scratch)
$BUILDAH add "$container" "$root.tar" /
# The official image's environment and command.
$BUILDAH config --env LANG=C.UTF-8 --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --cmd python3 --label org.opencontainers.image.description="stand-in for python:3.11.9-slim-bookworm" \
  "$container"
$BUILDAH commit --quiet "$container" "$NAME" > /dev/null
echo "$NAME made"
