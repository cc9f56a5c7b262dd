# Training: `make train ARGS='--data_dir ... --pretrained_model_path ...'` (flags as released).
TRAIN_RUNTIME ?= tf2
TRAIN_VENV := .venv/$(TRAIN_RUNTIME)
ARGS ?=

.PHONY: train

train: $(TRAIN_VENV)/.installed
	$(TRAIN_VENV)/bin/python -m src.main $(ARGS) $(TRAIN_ARGS)
