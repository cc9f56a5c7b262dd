#!/usr/bin/env bash
# Convert the raw datasets to HMR's TFRecords from one config of paths (datasets.cfg.example says
# which official layout each folder must have). A dataset whose folder is empty or unset is skipped;
# the others run one after another, and the script exits non-zero if any of them failed. The datasets,
# their converters and config keys are the table in src/datasets/registry.py; src/datasets/prepare.py
# runs them.
#
# usage: bash prepare_datasets.sh [CONFIG]    (default: $DATASETS_CFG, else datasets.cfg)
#        PYTHON=.venv/tf1/bin/python bash prepare_datasets.sh   runs the converters in the legacy runtime
# `make datasets` runs this script (make/datasets.mk).
CFG=${1:-${DATASETS_CFG:-datasets.cfg}}
case $CFG in /*) ;; *) CFG=$PWD/$CFG ;; esac
cd "$(dirname "$0")" || exit 1
exec "${PYTHON:-.venv/tf2/bin/python}" -m src.datasets.prepare "$CFG"
