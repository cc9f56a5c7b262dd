# Docker images (see Dockerfile): TARGET=legacy (CUDA 9, TF 1.12) or modern (CUDA 12, TF 2.15).
TARGET ?= modern
DOCKER_IMAGE ?= hmr:$(TARGET)
# --gpus all when this host has an NVIDIA driver; the CPU otherwise.
GPU_FLAGS ?= $(if $(shell command -v nvidia-smi 2>/dev/null),--gpus all)
# Files written to mounted folders belong to the calling user, not the image's.
DOCKER_RUN = docker run --rm $(GPU_FLAGS) --user $$(id -u):$$(id -g) -v $(CURDIR)/models:/hmr/models
# make docker-check: the image it builds, where the demo smoke's outputs go, and what the build steps
# may read from this machine (its CA bundle and pip settings, for a PyPI reached through a proxy).
DOCKER_CHECK_IMAGE ?= localhost/hmr:modern-check
DOCKER_CHECK_OUT ?= build/docker-check
DOCKER_CHECK_MOUNTS ?= $(foreach f,$(wildcard /etc/ssl/certs/ca-certificates.crt /etc/pip.conf),-v $(f):$(f):ro)

.PHONY: docker-build docker-demo docker-models docker-test docker-train docker-check

docker-build:
	docker build --target $(TARGET) -t $(DOCKER_IMAGE) .

# IMG (an image, a folder or a quoted glob) and JSON may sit in any folders: each is mounted read-only.
docker-demo:
	@[ -n "$(IMG)" ] || { echo "usage: make docker-demo IMG=path/to/image.jpg [JSON=keypoints.json] [BBOX=x,y,w,h] [OUT=out] [TARGET=legacy|modern]" >&2; exit 2; }
	mkdir -p $(OUT) models
	$(DOCKER_RUN) -v $(abspath $(dir $(IMG))):/input/img:ro $(if $(JSON),-v $(abspath $(dir $(JSON))):/input/json:ro) \
	  -v $(abspath $(OUT)):/hmr/out $(DOCKER_IMAGE) \
	  demo 'IMG=/input/img/$(notdir $(IMG))' OUT=/hmr/out $(if $(JSON),'JSON=/input/json/$(notdir $(JSON))') \
	  $(if $(BBOX),BBOX=$(BBOX))

# The released model into models/ (`make models` in the image); ARCHIVE=path/to/models.tar.gz offline.
docker-models:
	mkdir -p models
	$(DOCKER_RUN) $(if $(ARCHIVE),-v $(abspath $(dir $(ARCHIVE))):/input/archive:ro) $(DOCKER_IMAGE) \
	  models $(if $(ARCHIVE),'ARCHIVE=/input/archive/$(notdir $(ARCHIVE))')

docker-test:
	docker run --rm $(GPU_FLAGS) $(DOCKER_IMAGE) test

# Trains in the image (`make train`) on the TFRecords in DATA_DIR; runs land in logs/ on the host.
docker-train:
	mkdir -p logs models
	$(DOCKER_RUN) -v $(abspath $(DATA_DIR)):/hmr/data/tf_datasets:ro -v $(CURDIR)/logs:/hmr/logs $(DOCKER_IMAGE) \
	  train ARGS='$(TRAIN_ARGS)'

# Builds the modern image here without a Docker engine and runs the suite and the demo smoke in it
# (docker/check.sh; as root, with buildah and debootstrap). DOCKER_CHECK_ARGS go to `buildah bud`.
docker-check:
	sh docker/check.sh $(DOCKER_CHECK_IMAGE) $(DOCKER_CHECK_OUT) $(DOCKER_CHECK_MOUNTS) $(DOCKER_CHECK_ARGS)
