# Live capture (docs/live.md): make live SRC=0 | SRC=udp://127.0.0.1:5000 | SRC=clip.mp4, with e.g.
# LIVE_ARGS='--vmc 127.0.0.1:39539 --preview_port 8080 --outputs video,json,npz,bvh,glb'.
SRC ?= 0
LIVE_ARGS ?=
# The network runs on ONNX Runtime, faster than TensorFlow per frame (docs/figures.md, bench_live), from
# the model exported from the checkpoint on first use; the legacy runtime has no ONNX Runtime.
# LIVE_ONNX= runs TensorFlow.
LIVE_ONNX ?= $(filter tf2,$(DEMO_RUNTIME))

.PHONY: live

live: $(DEMO_VENV)/.installed
	@[ -e $(ONNX_LOAD_PATH).index ] || $(MAKE) --no-print-directory models
	$(if $(LIVE_ONNX),@$(MAKE) --no-print-directory $(ONNX_OUT))
	$(DEMO_PY) -m demo --live '$(SRC)' --out_dir '$(OUT)' $(if $(LIVE_ONNX),--onnx_path $(ONNX_OUT),--backend tf) $(LIVE_ARGS)
