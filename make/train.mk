# Training: `make train ARGS='--data_dir ... --pretrained_model_path ...'` (flags as released).
# Data parallel: `make train-dist NP=4 [HOSTS=a:2,b:2] ARGS='...'` runs horovodrun with Gloo.
TRAIN_RUNTIME ?= tf2
TRAIN_VENV := .venv/$(TRAIN_RUNTIME)
ARGS ?=
NP ?= 2
HOSTS ?= localhost:$(NP)
# Build flags: TensorFlow and the Gloo controller only; HOROVOD_GPU_OPERATIONS=NCCL is added where
# CUDA exists (the modern Docker target).
HOROVOD_BUILD_ENV ?= HOROVOD_WITH_TENSORFLOW=1 HOROVOD_WITH_GLOO=1 HOROVOD_WITHOUT_MPI=1 \
	HOROVOD_WITHOUT_PYTORCH=1 HOROVOD_WITHOUT_MXNET=1

.PHONY: train train-dist setup-horovod

train: $(TRAIN_VENV)/.installed
	$(TRAIN_VENV)/bin/python -m src.main $(ARGS) $(TRAIN_ARGS)

setup-horovod: $(TF2)/.horovod

# Horovod compiles against the installed TensorFlow, so it cannot use build isolation.
$(TF2)/.horovod: $(TF2)/.installed requirements-horovod.txt
	$(TF2)/bin/pip install -q cmake==3.27.9
	$(HOROVOD_BUILD_ENV) $(TF2)/bin/pip install -q --no-build-isolation -r requirements-horovod.txt
	$(TF2)/bin/horovodrun --check-build | grep -q '\[X\] Gloo'
	touch $@

train-dist: $(TF2)/.horovod
	PATH=$(CURDIR)/$(TF2)/bin:$$PATH horovodrun --gloo -np $(NP) -H $(HOSTS) \
		$(TF2)/bin/python -m src.main --distributed $(ARGS) $(TRAIN_ARGS)
