#!/usr/bin/env bash
# Convert the raw datasets to HMR's TFRecords from one config of paths (datasets.cfg.example says
# which official layout each folder must have). A dataset whose folder is empty or unset is skipped;
# the others run one after another, and the script exits non-zero if any of them failed.
#
# usage: bash prepare_datasets.sh [CONFIG]    (default: $DATASETS_CFG, else datasets.cfg)
#        PYTHON=.venv/tf1/bin/python bash prepare_datasets.sh   runs the converters in the legacy runtime
# `make datasets` runs this script (make/datasets.mk).
set -uo pipefail

CFG=${1:-${DATASETS_CFG:-datasets.cfg}}
if [ ! -f "$CFG" ]; then
  echo "error: dataset config $CFG not found: copy datasets.cfg.example to datasets.cfg and set the paths" >&2
  exit 1
fi
CFG=$(cd "$(dirname "$CFG")" && pwd)/$(basename "$CFG")
cd "$(dirname "$0")" || exit 1

DATA_DIR= LSP_DIR= LSP_EXT_DIR= MPII_DIR= COCO_DIR= MPI_INF_3DHP_DIR= MPI_INF_3DHP_TEST_DIR= H36M_DIR= MOSH_DIR=
MOSH_DATASETS="neutrSMPL_CMU neutrSMPL_H3.6 neutrSMPL_jointLim"
MPI_INF_3DHP_SPLIT=train
H36M_SPLIT=both
# shellcheck source=/dev/null
source "$CFG"
if [ -z "$DATA_DIR" ]; then
  echo "error: DATA_DIR (where the TFRecords go) is not set in $CFG" >&2
  exit 1
fi
PYTHON=${PYTHON:-.venv/tf2/bin/python}

failed=()
run() {  # run NAME MODULE ARGS...
  local name=$1; shift
  echo "== $name: $PYTHON -m $*"
  if ! "$PYTHON" -m "$@"; then
    failed+=("$name")
  fi
}

[ -n "$LSP_DIR" ] && run lsp src.datasets.lsp_to_tfrecords --img_directory "$LSP_DIR" \
  --output_directory "$DATA_DIR/lsp" --dataset lsp
[ -n "$LSP_EXT_DIR" ] && run lsp_ext src.datasets.lsp_to_tfrecords --img_directory "$LSP_EXT_DIR" \
  --output_directory "$DATA_DIR/lsp_ext" --dataset lsp_ext
[ -n "$MPII_DIR" ] && run mpii src.datasets.mpii_to_tfrecords --img_directory "$MPII_DIR" \
  --output_directory "$DATA_DIR/mpii"
[ -n "$COCO_DIR" ] && run coco src.datasets.coco_to_tfrecords --data_directory "$COCO_DIR" \
  --output_directory "$DATA_DIR/coco"
[ -n "$MPI_INF_3DHP_DIR" ] && run mpi_inf_3dhp src.datasets.mpi_inf_3dhp_to_tfrecords \
  --data_directory "$MPI_INF_3DHP_DIR" --output_directory "$DATA_DIR/mpi_inf_3dhp" --split "$MPI_INF_3DHP_SPLIT"
[ -n "$MPI_INF_3DHP_TEST_DIR" ] && run mpi_inf_3dhp_test src.datasets.mpi_inf_3dhp_test_to_tfrecords \
  --data_directory "$MPI_INF_3DHP_TEST_DIR" --output_directory "$DATA_DIR/mpi_inf_3dhp"
[ -n "$H36M_DIR" ] && run h36m src.datasets.h36m_to_tfrecords --data_directory "$H36M_DIR" \
  --output_directory "$DATA_DIR/tf_records_human36m_wjoints" --split "$H36M_SPLIT"
if [ -n "$MOSH_DIR" ]; then
  for name in $MOSH_DATASETS; do
    run "$name" src.datasets.smpl_to_tfrecords --data_directory "$MOSH_DIR" \
      --output_directory "$DATA_DIR/mocap_neutrMosh" --dataset_name "$name"
  done
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "error: conversion failed for: ${failed[*]}" >&2
  exit 1
fi
echo "done: TFRecords in $DATA_DIR"
