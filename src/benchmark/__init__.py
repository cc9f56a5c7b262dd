"""Evaluation on the paper's benchmarks: Human3.6M, MPI-INF-3DHP and LSP segmentation."""
