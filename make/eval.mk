# Evaluation on the paper's benchmarks (src/benchmark): `make eval-h36m`, `eval-3dhp`, `eval-lsp`.
# Each writes <name>.json (per-sample errors) and <name>.md (our numbers beside the paper's) to EVAL_OUT.
# The runtime the evaluation runs in: tf2 (modern, default) or tf1 (legacy, the released stack).
EVAL_RUNTIME ?= tf2
EVAL_VENV := .venv/$(EVAL_RUNTIME)
LOAD_PATH ?= models/model.ckpt-667589
EVAL_OUT ?= eval_results
PROTOCOL ?= 1
EVAL_BATCH ?= 64
LSP_DIR ?=
UP3D_DIR ?=
EVAL_ARGS ?=
EVAL_FLAGS = --load_path $(LOAD_PATH) --pred_dir $(EVAL_OUT) --batch_size $(EVAL_BATCH) $(EVAL_ARGS)

.PHONY: eval-h36m eval-3dhp eval-lsp

eval-h36m: $(EVAL_VENV)/.installed
	$(EVAL_VENV)/bin/python -m src.benchmark.evaluate_h36m $(EVAL_FLAGS) --protocol $(PROTOCOL) \
		--tfh36m_dir $(DATA_DIR)/tf_records_human36m_wjoints

eval-3dhp: $(EVAL_VENV)/.installed
	$(EVAL_VENV)/bin/python -m src.benchmark.evaluate_3dhp $(EVAL_FLAGS) --tf3dhp_dir $(DATA_DIR)/mpi_inf_3dhp

eval-lsp: $(EVAL_VENV)/.installed
	$(EVAL_VENV)/bin/python -m src.benchmark.evaluate_lsp $(EVAL_FLAGS) --lsp_dir '$(LSP_DIR)' --up3d_dir '$(UP3D_DIR)'
