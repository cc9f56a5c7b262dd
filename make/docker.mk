# Docker images (see Dockerfile): TARGET=legacy (CUDA 9, TF 1.12) or modern (CUDA 12, TF 2.15).
TARGET ?= modern
DOCKER_IMAGE ?= hmr:$(TARGET)
# --gpus all when this host has an NVIDIA driver; the CPU otherwise.
GPU_FLAGS ?= $(if $(shell command -v nvidia-smi 2>/dev/null),--gpus all)
# Files written to mounted folders belong to the calling user, not the image's.
DOCKER_RUN = docker run --rm $(GPU_FLAGS) --user $$(id -u):$$(id -g) -v $(CURDIR)/models:/hmr/models
DATA_DIR ?= data/tf_datasets

.PHONY: docker-build docker-demo docker-test docker-train

docker-build:
	docker build --target $(TARGET) -t $(DOCKER_IMAGE) .

docker-demo:
	@[ -n "$(IMG)" ] || { echo "usage: make docker-demo IMG=path/to/image.jpg [OUT=out] [TARGET=legacy|modern]" >&2; exit 2; }
	mkdir -p $(OUT) models
	$(DOCKER_RUN) -v $(abspath $(dir $(IMG))):/input:ro -v $(abspath $(OUT)):/hmr/out $(DOCKER_IMAGE) \
	  demo IMG=/input/$(notdir $(IMG)) OUT=/hmr/out $(if $(JSON),JSON=/input/$(notdir $(JSON))) $(if $(BBOX),BBOX=$(BBOX))

docker-test:
	docker run --rm $(DOCKER_IMAGE) test

# Trains in the image (`make train`) on the TFRecords in DATA_DIR; runs land in logs/ on the host.
docker-train:
	mkdir -p logs models
	$(DOCKER_RUN) -v $(abspath $(DATA_DIR)):/hmr/data/tf_datasets:ro -v $(CURDIR)/logs:/hmr/logs $(DOCKER_IMAGE) \
	  train ARGS='$(TRAIN_ARGS)'
