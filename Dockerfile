# syntax=docker/dockerfile:1
# HMR in two images from one code base:
#   docker build --target legacy -t hmr:legacy .   CUDA 9.0 + cuDNN 7, Python 3.6, TensorFlow 1.12 (GPU)
#   docker build --target modern -t hmr:modern .   CUDA 12 (pip wheels), Python 3.11, TensorFlow 2.15
# Both install the very requirement files CI installs natively; the only change is the TensorFlow
# line, swapped for its GPU build by docker/gpu-requirements.sh. Models and data are volumes: the
# SMPL licence forbids putting the model in an image.

############################## legacy ##############################
# nvidia/cuda:9.0-* tags were deleted from Docker Hub in 2023. TensorFlow's own 1.12 GPU image is
# still published and carries CUDA 9.0 and cuDNN 7; we copy those libraries out of it. It ships
# Python 3.5, so the runtime is Ubuntu 18.04, whose python3.6 TF 1.12 has wheels for.
FROM tensorflow/tensorflow:1.12.0-gpu-py3 AS cuda9

FROM ubuntu:18.04 AS legacy-build
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.6 python3.6-dev python3.6-venv build-essential \
      libosmesa6-dev freeglut3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /hmr
COPY requirements-tf1.txt requirements-opendr.txt docker/gpu-requirements.sh ./
# The same steps as `make setup-tf1`, with tensorflow-gpu in place of tensorflow.
RUN python3.6 -m venv .venv/tf1 \
 && .venv/tf1/bin/pip install --no-cache-dir pip==21.3.1 \
 && sh gpu-requirements.sh legacy < requirements-tf1.txt > /tmp/requirements-gpu.txt \
 && .venv/tf1/bin/pip install --no-cache-dir -r /tmp/requirements-gpu.txt \
 && .venv/tf1/bin/pip install --no-cache-dir --no-build-isolation -r requirements-opendr.txt

FROM ubuntu:18.04 AS legacy
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3.6 libosmesa6 freeglut3 libglu1-mesa libgomp1 make \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 hmr
COPY --from=cuda9 /usr/local/cuda-9.0/lib64 /usr/local/cuda-9.0/lib64
COPY --from=cuda9 /usr/lib/x86_64-linux-gnu/libcudnn.so.7 /usr/local/cuda-9.0/lib64/
ENV LD_LIBRARY_PATH=/usr/local/cuda-9.0/lib64 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    PYOPENGL_PLATFORM=osmesa \
    RUNTIMES=tf1 \
    DEMO_RUNTIME=tf1 \
    TRAIN_RUNTIME=tf1 \
    EVAL_RUNTIME=tf1
WORKDIR /hmr
COPY --from=legacy-build --chown=hmr /hmr/.venv /hmr/.venv
COPY --chown=hmr . /hmr
# Marks the environment as built for the Makefile (newer than the requirement files).
RUN touch .venv/tf1/.installed
USER 1000:1000
VOLUME ["/hmr/models", "/hmr/data", "/hmr/out", "/hmr/logs"]
ENTRYPOINT ["/hmr/docker/entrypoint.sh"]
CMD ["help"]

############################## modern ##############################
# CUDA 12 comes as pip wheels with tensorflow[and-cuda] (TensorFlow's documented GPU install), so a
# slim Python image is the base; the host needs only the NVIDIA driver and nvidia-container-toolkit.
# Horovod is compiled with NCCL for GPU allreduce: nvcc and the CUDA headers come from NVIDIA's devel
# image (build stage only), NCCL from the nvidia-nccl-cu12 wheel tensorflow[and-cuda] installs.
FROM nvidia/cuda:12.2.2-devel-ubuntu22.04 AS cuda12-devel

FROM python:3.11.9-slim-bookworm AS modern-build
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
COPY --from=cuda12-devel /usr/local/cuda /usr/local/cuda
WORKDIR /hmr
COPY requirements.txt requirements-horovod.txt docker/gpu-requirements.sh ./
# The same steps as `make setup-tf2 setup-horovod`, with tensorflow[and-cuda] in place of
# tensorflow-cpu and NCCL added to Horovod's build.
ENV NCCL_DIR=/hmr/.venv/tf2/lib/python3.11/site-packages/nvidia/nccl
RUN python -m venv .venv/tf2 \
 && sh gpu-requirements.sh modern < requirements.txt > /tmp/requirements-gpu.txt \
 && .venv/tf2/bin/pip install --no-cache-dir -r /tmp/requirements-gpu.txt \
 && .venv/tf2/bin/pip install --no-cache-dir cmake==3.27.9 \
 && ln -s libnccl.so.2 "$NCCL_DIR/lib/libnccl.so" \
 && HOROVOD_GPU_OPERATIONS=NCCL HOROVOD_CUDA_HOME=/usr/local/cuda HOROVOD_NCCL_INCLUDE="$NCCL_DIR/include" \
    HOROVOD_NCCL_LIB="$NCCL_DIR/lib" HOROVOD_NCCL_LINK=SHARED HOROVOD_WITH_TENSORFLOW=1 HOROVOD_WITH_GLOO=1 \
    HOROVOD_WITHOUT_MPI=1 HOROVOD_WITHOUT_PYTORCH=1 HOROVOD_WITHOUT_MXNET=1 \
    PATH="/hmr/.venv/tf2/bin:$PATH" .venv/tf2/bin/pip install --no-cache-dir --no-build-isolation -r requirements-horovod.txt \
 && rm /tmp/requirements-gpu.txt

FROM python:3.11.9-slim-bookworm AS modern
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libegl1 libegl-mesa0 libgl1-mesa-dri libgles2 libgomp1 make \
      openssh-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 hmr
ENV MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    PYOPENGL_PLATFORM=egl \
    RUNTIMES=tf2 \
    DEMO_RUNTIME=tf2 \
    TRAIN_RUNTIME=tf2 \
    EVAL_RUNTIME=tf2
WORKDIR /hmr
COPY --from=modern-build --chown=hmr /hmr/.venv /hmr/.venv
COPY --chown=hmr . /hmr
# Marks the environment (and Horovod in it) as built for the Makefile.
RUN touch .venv/tf2/.installed .venv/tf2/.horovod
USER 1000:1000
VOLUME ["/hmr/models", "/hmr/data", "/hmr/out", "/hmr/logs"]
ENTRYPOINT ["/hmr/docker/entrypoint.sh"]
CMD ["help"]
