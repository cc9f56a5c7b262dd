#!/bin/sh
# `make docker-check`: builds the modern target without a Docker engine (buildah, as root) on a local
# stand-in for its Python base, then runs inside the image, as its user and on the CPU, `make test`
# (the modern suite without the Horovod tests; HOROVOD=none skips Horovod's NCCL build, which needs
# NVIDIA's CUDA devel image) and `make demo-smoke`, whose outputs are copied to OUT_DIR.
# usage: check.sh IMAGE OUT_DIR [buildah bud options ...]
set -eu
image=$1
out_dir=$2
shift 2
BUILDAH=${BUILDAH:-buildah --storage-driver vfs}
export BUILDAH_ISOLATION=chroot
# The two tools it needs, said in one line when absent (instead of "buildah: not found" four times).
for tool in ${BUILDAH%% *} debootstrap; do
  command -v "$tool" > /dev/null || {
    echo "error: make docker-check needs buildah and debootstrap (the image is built without a Docker engine):" \
         "apt-get install buildah debootstrap" >&2
    exit 1
  }
done
stand_in=localhost/python:3.11.9-slim-bookworm

# What this run leaves behind is removed at the end, pass or fail, except the image itself: the
# working containers (buildah 1.28 keeps those of stages that are only a FROM line) and the
# intermediate images, which the storage driver (vfs) holds as full copies.
containers_before=" $($BUILDAH containers --quiet --notruncate | tr '\n' ' ') "
dangling_before=" $($BUILDAH images --quiet --no-trunc --filter dangling=true | tr '\n' ' ') "
clean_up() {
  for container in $($BUILDAH containers --quiet --notruncate); do
    case "$containers_before" in *" $container "*) ;; *) $BUILDAH rm "$container" > /dev/null ;; esac
  done
  for layer in $($BUILDAH images --quiet --no-trunc --filter dangling=true); do
    case "$dangling_before" in *" $layer "*) ;; *) $BUILDAH rmi "$layer" > /dev/null ;; esac
  done
}
trap clean_up EXIT

BUILDAH="$BUILDAH" sh docker/stand-in-base.sh "$stand_in"
started=$(date +%s)
$BUILDAH bud --isolation chroot --pull-never --target modern --build-arg PYTHON_IMAGE="$stand_in" \
  --build-arg HOROVOD=none "$@" -t "$image" .
echo "docker-check: built $image in $(( $(date +%s) - started )) s," \
  "$($BUILDAH images --format '{{.Size}}' "$image" | head -n 1)"
clean_up

container=$($BUILDAH from --pull-never "$image")
in_image() {
  $BUILDAH run --user 1000:1000 --workingdir /hmr "$container" -- "$@"
}
in_image sh -c 'test "$(stat -c %u /hmr /hmr/out /hmr/logs | sort -u)" = 1000' \
  || { echo "error: /hmr, /hmr/out and /hmr/logs must belong to uid 1000" >&2; exit 1; }
# pyrender's EGL path draws through libGL (without libgl1 PyOpenGL falls back to GLES).
in_image .venv/tf2/bin/python -c 'from OpenGL import platform; import sys; \
lib = platform.PLATFORM.GL._name; print("PyOpenGL GL library:", lib); sys.exit("libGL.so" not in lib)'
# The released code's reference outputs, when they are beside the checkout (as in CI), where the
# suite looks for them: beside /hmr.
reference=$(cd .. && pwd)/shared/hmr_reference
started=$(date +%s)
if [ -d "$reference" ]; then
  $BUILDAH run --user 1000:1000 --workingdir /hmr -v "$reference:/shared/hmr_reference:ro" "$container" -- \
    make --no-print-directory test
else
  in_image make --no-print-directory test
fi
echo "docker-check: the suite passed in the image in $(( $(date +%s) - started )) s"
# The outputs come back through a pipe: /hmr/out is a volume, which `buildah run` keeps to itself.
mkdir -p "$out_dir"
started=$(date +%s)
in_image sh -c 'make --no-print-directory demo-smoke OUT=/tmp/hmr-out >&2 && tar -C /tmp/hmr-out/smoke -cf - .' \
  | tar -C "$out_dir" -xf -
test -s "$out_dir/astronaut.png" || { echo "error: the demo smoke wrote no astronaut.png" >&2; exit 1; }
echo "docker-check: the demo smoke passed in the image in $(( $(date +%s) - started )) s; its outputs are in" \
  "$out_dir"
