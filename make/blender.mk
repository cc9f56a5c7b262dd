# The animation exports' real clients, in a test-only environment (.venv/blender): Blender as a Python
# module (bpy 4.2 LTS: Python 3.11 wheels only, about 1 GB installed) and the Khronos glTF-Validator
# (npm). Blender also writes the FBX exports (src/export/blender.py runs its Python). `make test-blender` runs
# the tests marked `blender` (tests/test_blender.py, tests/test_blender_retarget.py, the validator's in
# tests/test_export.py) there with HMR_REQUIRE_BLENDER=1, so a missing client fails instead of skipping.
BLENDER_VENV ?= .venv/blender
BLENDER_PYTHON ?= $(firstword $(wildcard $(PYENV_ROOT)/versions/3.11*/bin/python3.11) $(shell command -v python3.11))
GLTF_VALIDATOR_VERSION := 2.0.0-dev.3.10

.PHONY: setup-blender test-blender

setup-blender: $(BLENDER_VENV)/.installed

$(BLENDER_VENV)/.installed: requirements-blender.txt
	@if [ -z "$(BLENDER_PYTHON)" ]; then \
	  echo "error: Python 3.11 not found (bpy 4.2 ships cp311 wheels only): 'pyenv install 3.11' or set BLENDER_PYTHON" >&2; exit 1; fi
	@command -v npm > /dev/null || { echo "error: npm not found (the glTF-Validator comes from npm): apt-get install npm" >&2; exit 1; }
	rm -rf $(BLENDER_VENV) && $(BLENDER_PYTHON) -m venv $(BLENDER_VENV)
	$(BLENDER_VENV)/bin/pip install -q -r requirements-blender.txt
	npm install -s --prefix $(BLENDER_VENV) --no-save --no-audit --no-fund gltf-validator@$(GLTF_VALIDATOR_VERSION)
	touch $@

test-blender: $(BLENDER_VENV)/.installed
	HMR_REQUIRE_BLENDER=1 HMR_GLTF_VALIDATOR=$(abspath $(BLENDER_VENV))/node_modules/gltf-validator \
	  $(BLENDER_VENV)/bin/python -m pytest -q -m blender tests/test_blender.py tests/test_blender_retarget.py tests/test_export.py $(PYTEST_ARGS)
