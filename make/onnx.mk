# The ONNX path (docs/install.md): `make onnx` exports a checkpoint to ONNX in the exporter's own
# environment (tf2onnx needs protobuf 3.20, .venv/tf2 has 4.25); `make wheel` builds the pip package;
# `make test-onnx` installs that wheel with [onnx] into a fresh environment without TensorFlow and runs
# the tests marked onnx_wheel (the lean demo against the TensorFlow one, the export's parity).
ONNX_EXPORT_VENV ?= .venv/onnx-export
ONNX_WHEEL_VENV ?= .venv/onnx-wheel
ONNX_LOAD_PATH ?= models/model.ckpt-667589
ONNX_SMPL_PATH ?= models/neutral_smpl_with_cocoplus_reg.pkl
ONNX_OUT ?= models/hmr.onnx
WHEEL_DIR := build/wheel
# The BlazePose models of the default detector come in the mediapipe wheel, installed without its
# dependencies (requirements-nodeps.txt says why).
MEDIAPIPE_PIN := $(shell grep -m1 '^mediapipe==' requirements-nodeps.txt | cut -d';' -f1)

.PHONY: onnx setup-onnx-export wheel test-onnx

setup-onnx-export: $(ONNX_EXPORT_VENV)/.installed

$(ONNX_EXPORT_VENV)/.installed: requirements-onnx-export.txt
	rm -rf $(ONNX_EXPORT_VENV) && $(PYTHON3) -m venv $(ONNX_EXPORT_VENV)
	$(ONNX_EXPORT_VENV)/bin/pip install -q -r requirements-onnx-export.txt
	touch $@

ONNX_EXPORT = $(ONNX_EXPORT_VENV)/bin/python -m src.onnx_export --load_path $(ONNX_LOAD_PATH) \
  --smpl_model_path $(ONNX_SMPL_PATH) --out_path $(ONNX_OUT)

onnx: $(ONNX_EXPORT_VENV)/.installed
	$(ONNX_EXPORT)

# The model exported once, and again when the checkpoint changes (make live runs it).
$(ONNX_OUT): $(ONNX_LOAD_PATH).index | $(ONNX_EXPORT_VENV)/.installed
	$(ONNX_EXPORT)

# Built from a copy of the tracked sources, so that setuptools' scratch folders stay out of the checkout.
wheel:
	rm -rf $(WHEEL_DIR) && mkdir -p $(WHEEL_DIR)/tree
	git ls-files -co --exclude-standard -- pyproject.toml demo.py src docs | xargs cp --parents -t $(WHEEL_DIR)/tree
	$(PYTHON3) -m pip wheel -q --no-deps $(WHEEL_DIR)/tree -w $(WHEEL_DIR)

test-onnx: wheel $(ONNX_EXPORT_VENV)/.installed $(TF2)/.installed
	rm -rf $(ONNX_WHEEL_VENV) && $(PYTHON3) -m venv $(ONNX_WHEEL_VENV)
	$(ONNX_WHEEL_VENV)/bin/pip install -q "$$(ls $(WHEEL_DIR)/hmr-*.whl)[onnx]"
	$(ONNX_WHEEL_VENV)/bin/pip install -q --no-deps '$(MEDIAPIPE_PIN)'
	HMR_ONNX_WHEEL_VENV=$(abspath $(ONNX_WHEEL_VENV)) HMR_ONNX_EXPORT_PYTHON=$(abspath $(ONNX_EXPORT_VENV))/bin/python \
	  $(TF2)/bin/python -m pytest -q -m onnx_wheel tests/test_onnx.py tests/test_onnx_wheel.py tests/test_live_backend.py $(PYTEST_ARGS)

# bench/bench_onnx.py exports the synthetic model with the exporter's environment.
bench: $(ONNX_EXPORT_VENV)/.installed
