#!/usr/bin/env bash
# The released training recipe (paper: 75 epochs, batch 64, 3D supervision, all six 2D/3D datasets).
# usage: PRETRAINED=models/resnet_v2_50.ckpt DATA_DIR=data/tf_datasets ./do_train.sh [extra flags]
# To continue a run: LP=logs/<run folder> ./do_train.sh
set -euo pipefail
PRETRAINED=${PRETRAINED:-models/resnet_v2_50.ckpt}
DATA_DIR=${DATA_DIR:-data/tf_datasets}
PYTHON=${PYTHON:-.venv/tf2/bin/python}
FLAGS=(--d_lr 1e-4 --e_lr 1e-5 --log_img_step 1000 --e_loss_weight 60. --batch_size=64 --use_3d_label=True
       --e_3d_weight 60. --datasets lsp,lsp_ext,mpii,h36m,coco,mpi_inf_3dhp --epoch 75 --log_dir logs
       --data_dir "${DATA_DIR}")
if [ -n "${LP:-}" ]; then
  FLAGS+=(--load_path "${LP}")
else
  FLAGS+=(--pretrained_model_path "${PRETRAINED}")
fi
set -x
exec "${PYTHON}" -m src.main "${FLAGS[@]}" "$@"
