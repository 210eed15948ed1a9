#!/usr/bin/env python3
"""Times numpy on the operations of `mantissa-bench elementwise` and writes the same JSON rows
(suite, id, elements, gbps, ...), so `mantissa-bench elementwise --compare FILE` prints them
beside Mantissa's. GB/s count bytes read + written, as Mantissa's rows do. numpy runs these
single-threaded; rows are written for threads 1. Optional: not part of the library or its tests.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchcommon import best_time, cpu_name, write_json  # noqa: E402



def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default=f"{1 << 16},{1 << 24}")
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    rows = []
    for count in [int(c) for c in args.counts.split(",")]:
        a32 = (np.arange(count) % 1000 * 0.001 - 0.5).astype(np.float32)
        b32 = (np.arange(count) % 777 * 0.001).astype(np.float32)
        c32 = np.empty_like(a32)
        a16, b16 = a32.astype(np.float16), b32.astype(np.float16)
        c16 = np.empty_like(a16)
        cases = [
            ("numpy-f32-vadd", 12, lambda: np.add(a32, b32, out=c32)),
            ("numpy-f16-vadd", 6, lambda: np.add(a16, b16, out=c16)),
            ("numpy-f32-vrelu", 8, lambda: np.maximum(a32, 0, out=c32)),
            ("numpy-f16-vrelu", 4, lambda: np.maximum(a16, 0, out=c16)),
            ("numpy-f32-f16-vcvt", 6, lambda: np.copyto(c16, a32, casting="unsafe")),
            ("numpy-f16-f32-vcvt", 6, lambda: np.copyto(c32, a16)),
            ("numpy-f32-rsum", 4, lambda: a32.sum()),
        ]
        for name, bytes_per, fn in cases:
            seconds = best_time(fn)
            gbps = bytes_per * count / seconds * 1e-9
            rows.append(dict(suite="elementwise", id=name, m=count, n=1, k=1, threads=1,
                             seconds=seconds, cpu=cpu_name(), elements=count, gbps=gbps))
            print(f"{name} {count}: {seconds * 1e6:.1f} us, {gbps:.1f} GB/s")
    write_json(rows, args.json)


if __name__ == "__main__":
    main()
