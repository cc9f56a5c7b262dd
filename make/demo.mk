# The demo: models, sample images, the demo itself and its offline smoke run.
IMG ?= data/astronaut.png
OUT ?= out
JSON ?=
BBOX ?=
# Extra demo flags, e.g. DEMO_ARGS='--detector none' or DEMO_ARGS='--outputs json,npz --every 2'.
DEMO_ARGS ?=
# The runtime the demo runs in: tf2 (modern, default) or tf1 (legacy).
DEMO_RUNTIME ?= tf2
DEMO_VENV := .venv/$(DEMO_RUNTIME)
DEMO_PY := $(DEMO_VENV)/bin/python
SMOKE_MODELS := build/smoke_models

.PHONY: demo models models-resnet sample-images sample-clip demo-smoke

models: $(DEMO_VENV)/.installed
	$(DEMO_PY) -m src.util.download $(if $(ARCHIVE),--archive $(ARCHIVE))

models-resnet: $(DEMO_VENV)/.installed
	$(DEMO_PY) -m src.util.download --resnet

sample-images: data/astronaut.png

data/astronaut.png: $(DEMO_VENV)/.installed
	$(DEMO_PY) -m src.samples.sample_images $@

sample-clip: data/sample_clip.mp4

data/sample_clip.mp4: $(DEMO_VENV)/.installed
	$(DEMO_PY) -m src.samples.sample_clip $@

demo: $(DEMO_VENV)/.installed $(filter data/astronaut.png data/sample_clip.mp4,$(IMG))
	@[ -e models/model.ckpt-667589.index ] || $(MAKE) --no-print-directory models
	$(DEMO_PY) -m demo --img_path '$(IMG)' --out_dir '$(OUT)' $(if $(JSON),--json_path '$(JSON)') \
	  $(if $(BBOX),--bbox '$(BBOX)') $(DEMO_ARGS)

# The whole demo, offline, on the synthetic model of the tests (no licensed files needed).
demo-smoke: $(DEMO_VENV)/.installed data/astronaut.png
	$(DEMO_PY) -m src.samples.synthetic_model $(SMOKE_MODELS)
	$(DEMO_PY) -m demo --img_path data/astronaut.png --out_dir '$(OUT)/smoke' \
	  --load_path $(SMOKE_MODELS)/model.ckpt-0 --smpl_model_path $(SMOKE_MODELS)/neutral_smpl_with_cocoplus_reg.pkl
