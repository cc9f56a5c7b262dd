#!/usr/bin/env bash
# Convert the raw datasets to HMR's TFRecords from one config of paths (datasets.cfg.example says
# which official layout each folder must have). A dataset whose folder is empty or unset is skipped;
# the others run one after another, and the script exits non-zero if any of them failed. The datasets,
# their converters and config keys are the table in src/datasets/registry.py; src/datasets/prepare.py
# runs them.
#
# usage: bash prepare_datasets.sh [CONFIG]    (default: $DATASETS_CFG, else datasets.cfg)
#        PYTHON=.venv/tf1/bin/python bash prepare_datasets.sh   runs the converters in the legacy runtime
# Without PYTHON, the modern runtime's Python if it is installed, else the legacy one's.
# `make datasets` runs this script (make/datasets.mk).
CFG=${1:-${DATASETS_CFG:-datasets.cfg}}
case $CFG in /*) ;; *) CFG=$PWD/$CFG ;; esac
cd "$(dirname "$0")" || exit 1
if [ -z "${PYTHON:-}" ]; then
  for PYTHON in .venv/tf2/bin/python .venv/tf1/bin/python ''; do
    [ -x "$PYTHON" ] && break
  done
fi
if [ -z "$PYTHON" ]; then
  echo "error: no runtime installed: run make setup (or set PYTHON to a Python with HMR's requirements)" >&2
  exit 1
fi
exec "$PYTHON" -m src.datasets.prepare "$CFG"
