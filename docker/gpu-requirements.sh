#!/bin/sh
# Print a requirement file (stdin) with its TensorFlow line swapped for the GPU build of the same
# version; every other line passes unchanged. usage: gpu-requirements.sh legacy|modern < FILE
set -eu
case "$1" in
  legacy) sed 's/^tensorflow==\(.*\)$/tensorflow-gpu==\1/' ;;
  modern) sed 's/^tensorflow-cpu==\(.*\)$/tensorflow[and-cuda]==\1/' ;;
  *) echo "usage: $0 legacy|modern < requirements" >&2; exit 2 ;;
esac
