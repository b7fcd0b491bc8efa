"""NumPy reference timing for `npm run bench:similarity`.

Loads X and Y (.npy, rows = examples) and times linear CKA the way the reference notebook of
Kornblith et al. 2019 does it fastest (`feature_space_linear_cka`: center, then
‖YᵀX‖²_F / (‖XᵀX‖_F·‖YᵀY‖_F) with BLAS matrix products), in float64. Prints one JSON line.
"""
import json
import os
import sys
import time

import numpy as np


def feature_space_linear_cka(x, y):
    x = x - np.mean(x, 0, keepdims=True)
    y = y - np.mean(y, 0, keepdims=True)
    dot_similarity = np.linalg.norm(x.T.dot(y)) ** 2
    normalization_x = np.linalg.norm(x.T.dot(x))
    normalization_y = np.linalg.norm(y.T.dot(y))
    return dot_similarity / (normalization_x * normalization_y)


def main():
    x = np.load(sys.argv[1]).astype(np.float64)
    y = np.load(sys.argv[2]).astype(np.float64)
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    value = feature_space_linear_cka(x, y)  # warm-up
    times = []
    cpu = []
    for _ in range(reps):
        t = time.perf_counter()
        c = time.process_time()
        value = feature_space_linear_cka(x, y)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    blas = None
    try:
        from threadpoolctl import threadpool_info

        blas = [
            {k: i.get(k) for k in ("internal_api", "num_threads", "architecture", "version")}
            for i in threadpool_info()
        ]
    except Exception:  # threadpoolctl is optional
        pass
    print(
        json.dumps(
            {
                "value": float(value),
                "seconds_min": min(times),
                "seconds_median": sorted(times)[len(times) // 2],
                "cpu_seconds_min": min(cpu),  # all BLAS threads together
                "numpy": np.__version__,
                "blas": blas,
                "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
                "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
            }
        )
    )


if __name__ == "__main__":
    main()
