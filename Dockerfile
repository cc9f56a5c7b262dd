# syntax=docker/dockerfile:1
# HMR in two images from one code base:
#   docker build --target legacy -t hmr:legacy .   CUDA 9.0 + cuDNN 7, Python 3.6, TensorFlow 1.12 (GPU)
#   docker build --target modern -t hmr:modern .   CUDA 12 (pip wheels), Python 3.11, TensorFlow 2.15
# Both install the very requirement files CI installs natively, as they are when the image is built;
# the only change is the TensorFlow line, swapped for its GPU build by docker/gpu-requirements.sh.
# Models and data are volumes: the SMPL licence forbids putting the model in an image.
#
# Bases are pinned by digest where one is published (NVIDIA and others delete old tags); the digests
# are the multi-platform index digests docker-library/repo-info and Kokkos' CI record for these tags.
# PYTHON_IMAGE may be replaced by a local stand-in (`make docker-check`, docker/stand-in-base.sh).
ARG PYTHON_IMAGE=python:3.11.9-slim-bookworm@sha256:8fb099199b9f2d70342674bd9dbccd3ed03a258f26bbd1d556822c6dfc60c317
# HOROVOD=nccl (default) builds Horovod with NCCL for GPU allreduce, with nvcc and the CUDA headers of
# NVIDIA's devel image; HOROVOD=none skips that step (and Horovod with it): `make docker-check`.
ARG HOROVOD=nccl

############################## legacy ##############################
# nvidia/cuda:9.0-* tags were deleted from Docker Hub in 2023. TensorFlow's own 1.12 GPU image is
# still published and carries CUDA 9.0 and cuDNN 7; we copy those libraries out of it. No digest of
# it could be established from public records, so it stays pinned by tag. It ships Python 3.5, so the
# runtime is Ubuntu 18.04, whose python3.6 TF 1.12 has wheels for.
FROM tensorflow/tensorflow:1.12.0-gpu-py3 AS cuda9

FROM ubuntu:18.04@sha256:152dc042452c496007f07ca9127571cb9c29697f42acbfad72324b2bb2e43c98 AS legacy-build
# On Ubuntu 18.04 python3.6-venv holds only ensurepip: the pip 9 it bootstraps imports distutils.util,
# which is in python3-distutils; that pip reaches PyPI through Debian's certifi, which reads
# ca-certificates' bundle.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.6 python3.6-dev python3.6-venv python3-distutils \
      ca-certificates build-essential libosmesa6-dev freeglut3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /hmr
COPY requirements-tf1.txt requirements-opendr.txt docker/gpu-requirements.sh docker/cuda-stub.sh ./
# The same steps as `make setup-tf1`, with tensorflow-gpu in place of tensorflow; then the driver
# stub for the functions this TensorFlow links (see the legacy stage).
RUN python3.6 -m venv .venv/tf1 \
 && .venv/tf1/bin/pip install --no-cache-dir pip==21.3.1 \
 && sh gpu-requirements.sh legacy < requirements-tf1.txt > /tmp/requirements-gpu.txt \
 && .venv/tf1/bin/pip install --no-cache-dir -r /tmp/requirements-gpu.txt \
 && .venv/tf1/bin/pip install --no-cache-dir --no-build-isolation -r requirements-opendr.txt \
 && sh cuda-stub.sh .venv/tf1/lib/python3.6/site-packages/tensorflow /opt/cuda-stub

FROM ubuntu:18.04@sha256:152dc042452c496007f07ca9127571cb9c29697f42acbfad72324b2bb2e43c98 AS legacy
# /hmr and the output volumes belong to the image's user, so that build/, out/ and logs/ are writable.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.6 python3-distutils ca-certificates libosmesa6 freeglut3 \
      libglu1-mesa libgomp1 make \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 hmr \
 && mkdir -p /hmr/out /hmr/logs \
 && chown hmr:hmr /hmr /hmr/out /hmr/logs
COPY --from=cuda9 /usr/local/cuda-9.0/lib64 /usr/local/cuda-9.0/lib64
COPY --from=cuda9 /usr/lib/x86_64-linux-gnu/libcudnn.so.7 /usr/local/cuda-9.0/lib64/
# TensorFlow 1.12's GPU build links libcuda.so.1, which only the host's driver provides. The stub,
# last in the linker's search order, lets TensorFlow load without a GPU (cuInit fails, it runs on the
# CPU); with --gpus the NVIDIA runtime adds the real library to /usr/lib/x86_64-linux-gnu, found first.
COPY --from=legacy-build /opt/cuda-stub/libcuda.so.1 /usr/local/cuda-stub/
RUN echo /usr/local/cuda-stub > /etc/ld.so.conf.d/zz-cuda-stub.conf && ldconfig
# Python 3.6 takes its default text encoding from the locale: UTF-8 (file names and text such as
# café.png, UTF-8 OpenPose files), not ASCII as under the unset (C) locale.
ENV LD_LIBRARY_PATH=/usr/local/cuda-9.0/lib64 \
    LANG=C.UTF-8 \
    LC_ALL=C.UTF-8 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    PYOPENGL_PLATFORM=osmesa \
    RUNTIMES=tf1 \
    DEMO_RUNTIME=tf1 \
    TRAIN_RUNTIME=tf1 \
    EVAL_RUNTIME=tf1
WORKDIR /hmr
COPY --from=legacy-build --chown=hmr:hmr /hmr/.venv /hmr/.venv
COPY --chown=hmr:hmr . /hmr
# Marks the environment as built for the Makefile (newer than the requirement files).
RUN touch .venv/tf1/.installed
USER 1000:1000
VOLUME ["/hmr/models", "/hmr/data", "/hmr/out", "/hmr/logs"]
ENTRYPOINT ["/hmr/docker/entrypoint.sh"]
CMD ["help"]

############################## modern ##############################
# CUDA 12 comes as pip wheels with tensorflow[and-cuda] (TensorFlow's documented GPU install), so a
# slim Python image is the base; the host needs only the NVIDIA driver and nvidia-container-toolkit.
FROM nvcr.io/nvidia/cuda:12.2.2-devel-ubuntu22.04@sha256:5f603101462baa721ff6ddc44af82f6e9ba7cbd92a424c9f9f348e6e9d6d64c3 AS cuda12-devel

FROM ${PYTHON_IMAGE} AS modern-deps
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /hmr
COPY requirements.txt requirements-nodeps.txt docker/gpu-requirements.sh ./
# The same steps as `make setup-tf2`, with tensorflow[and-cuda] in place of tensorflow-cpu.
RUN python -m venv .venv/tf2 \
 && sh gpu-requirements.sh modern < requirements.txt > /tmp/requirements-gpu.txt \
 && .venv/tf2/bin/pip install --no-cache-dir -r /tmp/requirements-gpu.txt \
 && .venv/tf2/bin/pip install --no-cache-dir --no-deps -r requirements-nodeps.txt \
 && rm /tmp/requirements-gpu.txt

# `make setup-horovod` with NCCL added: nvcc and the CUDA headers from NVIDIA's devel image (this
# stage only), NCCL from the nvidia-nccl-cu12 wheel tensorflow[and-cuda] installs.
FROM modern-deps AS modern-horovod-nccl
COPY --from=cuda12-devel /usr/local/cuda-12.2 /usr/local/cuda
COPY requirements-horovod.txt ./
ENV NCCL_DIR=/hmr/.venv/tf2/lib/python3.11/site-packages/nvidia/nccl
RUN .venv/tf2/bin/pip install --no-cache-dir cmake==3.27.9 \
 && ln -s libnccl.so.2 "$NCCL_DIR/lib/libnccl.so" \
 && HOROVOD_GPU_OPERATIONS=NCCL HOROVOD_CUDA_HOME=/usr/local/cuda HOROVOD_NCCL_INCLUDE="$NCCL_DIR/include" \
    HOROVOD_NCCL_LIB="$NCCL_DIR/lib" HOROVOD_NCCL_LINK=SHARED HOROVOD_WITH_TENSORFLOW=1 HOROVOD_WITH_GLOO=1 \
    HOROVOD_WITHOUT_MPI=1 HOROVOD_WITHOUT_PYTORCH=1 HOROVOD_WITHOUT_MXNET=1 \
    PATH="/hmr/.venv/tf2/bin:$PATH" .venv/tf2/bin/pip install --no-cache-dir --no-build-isolation -r requirements-horovod.txt \
 && .venv/tf2/bin/horovodrun --check-build > /tmp/horovod-build.txt \
 && grep -q '\[X\] NCCL' /tmp/horovod-build.txt \
 && touch .venv/tf2/.horovod

FROM modern-deps AS modern-horovod-none

# One of the two stages above, by HOROVOD.
# hadolint ignore=DL3006
FROM modern-horovod-${HOROVOD} AS modern-build

FROM ${PYTHON_IMAGE} AS modern
# ca-certificates: `make models` downloads over https (the official base has it too). libgl1 and
# libopengl0: PyOpenGL's EGL platform loads libGL besides libEGL (without it, it falls back to GLES).
# libx11-6 and libxrender1: pyrender imports its viewer, whose pyglet loads them even offscreen.
# /hmr and the output volumes belong to the image's user, so that build/, out/ and logs/ are writable.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libegl1 libegl-mesa0 libgl1 libopengl0 \
      libgl1-mesa-dri libgles2 libx11-6 libxrender1 libgomp1 make openssh-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 hmr \
 && mkdir -p /hmr/out /hmr/logs \
 && chown hmr:hmr /hmr /hmr/out /hmr/logs
ENV MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    PYOPENGL_PLATFORM=egl \
    RUNTIMES=tf2 \
    DEMO_RUNTIME=tf2 \
    TRAIN_RUNTIME=tf2 \
    EVAL_RUNTIME=tf2
WORKDIR /hmr
COPY --from=modern-build --chown=hmr:hmr /hmr/.venv /hmr/.venv
COPY --chown=hmr:hmr . /hmr
# Marks the environment (and Horovod in it, when built) as built for the Makefile.
RUN touch .venv/tf2/.installed \
 && if [ -e .venv/tf2/.horovod ]; then touch .venv/tf2/.horovod; fi
USER 1000:1000
VOLUME ["/hmr/models", "/hmr/data", "/hmr/out", "/hmr/logs"]
ENTRYPOINT ["/hmr/docker/entrypoint.sh"]
CMD ["help"]
