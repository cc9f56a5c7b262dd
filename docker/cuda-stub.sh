#!/bin/sh
# Builds OUT_DIR/libcuda.so.1, a stand-in for the NVIDIA driver's library: it defines every driver
# function (cu*) that the libraries under TF_DIR link against, each returning CUDA_ERROR_NO_DEVICE.
# TensorFlow 1.12's GPU build cannot even be imported without a libcuda.so.1; with this one it loads,
# its cuInit fails and it runs on the CPU. usage: cuda-stub.sh TF_DIR OUT_DIR
set -eu
tf_dir=$1
out_dir=$2
mkdir -p "$out_dir"

for library in $(find "$tf_dir" -name '*.so*' -type f); do
  if readelf -d "$library" | grep -q 'NEEDED.*\[libcuda\.so\.1\]'; then
    nm -D --undefined-only "$library"
  fi
done | awk '$2 ~ /^cu[A-Z]/ { print $2 }' | sort -u > "$out_dir/symbols.txt"
if [ ! -s "$out_dir/symbols.txt" ]; then
  echo "error: no library under $tf_dir links driver functions from libcuda.so.1" >&2
  exit 1
fi

# 100 = CUDA_ERROR_NO_DEVICE: "no CUDA-capable device is detected".
sed 's/.*/int &(void) { return 100; }/' "$out_dir/symbols.txt" > "$out_dir/libcuda_stub.c"
cc -shared -fPIC -Wl,-soname,libcuda.so.1 -o "$out_dir/libcuda.so.1" "$out_dir/libcuda_stub.c"
echo "libcuda.so.1 stub: $(wc -l < "$out_dir/symbols.txt") driver functions"
