# Live capture (docs/live.md): make live SRC=0 | SRC=udp://127.0.0.1:5000 | SRC=clip.mp4, with e.g.
# LIVE_ARGS='--vmc 127.0.0.1:39539 --preview_port 8080 --outputs video,json,npz,bvh,glb'.
SRC ?= 0
LIVE_ARGS ?=

.PHONY: live

live: $(DEMO_VENV)/.installed
	@[ -e models/model.ckpt-667589.index ] || $(MAKE) --no-print-directory models
	$(DEMO_PY) -m demo --live '$(SRC)' --out_dir '$(OUT)' $(LIVE_ARGS)
