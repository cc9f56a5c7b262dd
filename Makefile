# HMR, two runtimes from one code base: legacy (Python 3.6 + TF 1.12) and modern (Python 3.11+ + TF 2.x).
# Targets stay thin: the work is in Python modules and scripts.
SHELL := /bin/bash
PYENV_ROOT ?= $(HOME)/.pyenv
PYTHON36 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.6*/bin/python3.6) $(shell command -v python3.6))
PYTHON3 ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.11*/bin/python3.11) $(shell command -v python3.11 python3.12 python3))
TF1 := .venv/tf1
TF2 := .venv/tf2
RUNTIMES ?= tf1 tf2
PYTEST_ARGS ?=
# The converted TFRecords (datasets.cfg's DATA_DIR) that the evaluation and docker-train read.
DATA_DIR ?= data/tf_datasets

.PHONY: help setup setup-tf1 setup-tf2 test test-tf1 test-tf2 test-dist bench clean-venv

help:
	@echo "make test            run the test suite on both runtimes (creates .venv/tf1 and .venv/tf2 first)"
	@echo "make test-dist       the Horovod tests (builds Horovod into .venv/tf2 first, ~8 min once)"
	@echo "make setup           create both environments"
	@echo "make bench           benchmarks (inference, demo, training, 1 vs 2 Horovod workers) on both runtimes"
	@echo "make demo IMG=...    image -> mesh, figure, parameters (make models first)"
	@echo "make train ARGS=...  training; make train-dist NP=2 ARGS=... on Horovod (make setup-horovod)"
	@echo "make datasets        convert the raw datasets named in datasets.cfg"
	@echo "make eval-h36m | eval-3dhp | eval-lsp   the paper's tables (see README)"

setup: setup-tf1 setup-tf2
setup-tf1: $(TF1)/.installed
setup-tf2: $(TF2)/.installed

# No mediapipe wheel for Python 3.6: src.detectors.blazepose_files puts its two BlazePose models (checksummed)
# into $(TF1)/share/hmr-blazepose for the mediapipe detector.
$(TF1)/.installed: requirements-tf1.txt requirements-opendr.txt
	@if [ -z "$(PYTHON36)" ]; then \
	  echo "error: Python 3.6 not found (the legacy runtime needs it): install it with 'pyenv install 3.6.15'" \
	       "or set PYTHON36=/path/to/python3.6; 'make RUNTIMES=tf2 test' runs the modern runtime alone" >&2; exit 1; fi
	rm -rf $(TF1) && $(PYTHON36) -m venv $(TF1)
	$(TF1)/bin/pip install -q pip==21.3.1
	$(TF1)/bin/pip install -q -r requirements-tf1.txt
	$(TF1)/bin/pip install -q --no-build-isolation -r requirements-opendr.txt
	$(TF1)/bin/python -m src.detectors.blazepose_files
	touch $@

$(TF2)/.installed: requirements.txt requirements-nodeps.txt
	rm -rf $(TF2) && $(PYTHON3) -m venv $(TF2)
	$(TF2)/bin/pip install -q -r requirements.txt
	$(TF2)/bin/pip install -q --no-deps -r requirements-nodeps.txt
	touch $@

test: $(foreach r,$(RUNTIMES),test-$(r))

# Without the Horovod runs (pytest marker `horovod`): a fresh clone tests without building Horovod; and
# without the tests of Blender and the glTF-Validator (marker `blender`), which `make test-blender` runs.
test-tf1 test-tf2: test-%: .venv/%/.installed
	.venv/$*/bin/python -m pytest -q tests -m 'not horovod and not blender and not onnx_wheel and not browser' $(PYTEST_ARGS)

# The Horovod runs, in the modern runtime: Horovod builds for it only (make/train.mk's rule).
test-dist: $(TF2)/.horovod
	$(TF2)/bin/python -m pytest -q tests -m horovod $(PYTEST_ARGS)

# bench_distributed.py measures 1 vs 2 Horovod workers, so the benchmarks build Horovod.
bench: $(foreach r,$(RUNTIMES),.venv/$(r)/.installed) $(TF2)/.horovod
	$(TF2)/bin/python -m bench.run $(foreach r,$(RUNTIMES),.venv/$(r)/bin/python)

clean-venv:
	rm -rf .venv
include make/demo.mk
include make/docker.mk
include make/train.mk
include make/datasets.mk
include make/eval.mk
include make/blender.mk
include make/export.mk
include make/onnx.mk
include make/live.mk
include make/page.mk
