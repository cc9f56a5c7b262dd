#!/bin/sh
# The image runs Make targets: `docker run IMAGE demo IMG=...`, `... test`, `... train ...`.
set -e
cd /hmr
exec make --no-print-directory "$@"
