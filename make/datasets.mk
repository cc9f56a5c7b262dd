# Dataset conversion: raw official datasets -> the released TFRecord layout, from one config of paths.
DATASETS_CFG ?= datasets.cfg
# The runtime the converters run in: tf2 (modern, default) or tf1 (legacy).
DATASETS_RUNTIME ?= tf2

.PHONY: datasets

datasets: .venv/$(DATASETS_RUNTIME)/.installed
	PYTHON=.venv/$(DATASETS_RUNTIME)/bin/python bash prepare_datasets.sh '$(DATASETS_CFG)'
