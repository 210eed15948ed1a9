#!/usr/bin/env python3
"""Times numpy's float32 matmul (OpenBLAS sgemm) on mantissa-bench's GEMM shapes and writes the
same JSON rows, so `mantissa-bench gemm --compare FILE` prints them side by side.

Run OpenBLAS with its best kernels: on some machines OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are
set to work around old bugs and slow it down; unset them for this command only, e.g.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 Benchmarks/compare/gemm_numpy.py --json o.json
Threads: OPENBLAS_NUM_THREADS is set per row before numpy loads, so each thread count runs in its
own process. Optional: this script is not part of the library or its tests.
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchcommon import best_time, cpu_name, write_json  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES_DIR = os.path.join(HERE, "..", "Shapes")


def parse_shape(text):
    dims, _, trans = text.partition(":")
    parts = [int(x) for x in dims.split("x")]
    if len(parts) == 1:
        parts = parts * 3
    if len(parts) != 3:
        raise SystemExit(f"shape {text!r} is not N or MxNxK")
    trans = trans or "nn"
    return parts[0], parts[1], parts[2], trans


def parse_shapes(text):
    shapes = []
    for item in text.split(","):
        if item[:1].isalpha():
            with open(os.path.join(SHAPES_DIR, item + ".txt")) as f:
                for line in f:
                    line = line.split("#", 1)[0].strip()
                    if line:
                        shapes.append(parse_shape(line))
        else:
            shapes.append(parse_shape(item))
    return shapes




def worker(shapes, threads):
    import numpy as np

    rows = []
    rng = np.random.default_rng(1)
    for m, n, k, trans in shapes:
        a = rng.uniform(-1, 1, (k, m) if trans[0] == "t" else (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, k) if trans[1] == "t" else (k, n)).astype(np.float32)
        opa = a.T if trans[0] == "t" else a
        opb = b.T if trans[1] == "t" else b
        c = np.empty((m, n), dtype=np.float32)
        seconds = best_time(lambda: np.matmul(opa, opb, out=c), 0.5 if m * n * k > 5e8 else 0.2)
        gflops = 2.0 * m * n * k / seconds * 1e-9
        rows.append(dict(suite="gemm", id="openblas-sgemm", m=m, n=n, k=k, trans=trans, threads=threads,
                         seconds=seconds, gflops=gflops, cpu=cpu_name()))
        print(f"openblas-sgemm {m}x{n}x{k}:{trans} threads {threads}: {seconds * 1e6:.1f} us "
              f"{gflops:.1f} GFLOP/s", file=sys.stderr)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default="default")
    parser.add_argument("--threads", default=f"1,{os.cpu_count()}")
    parser.add_argument("--json", required=True)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    shapes = parse_shapes(args.shapes)
    if args.worker:
        json.dump(worker(shapes, int(args.worker)), sys.stdout)
        return
    rows = []
    for t in sorted({int(x) for x in args.threads.split(",")}):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(t), OMP_NUM_THREADS=str(t))
        out = subprocess.run([sys.executable, __file__, "--shapes", args.shapes, "--json", "-",
                              "--worker", str(t)], env=env, check=True, capture_output=False,
                             stdout=subprocess.PIPE, text=True).stdout
        rows += json.loads(out)
    write_json(rows, args.json)


if __name__ == "__main__":
    main()
