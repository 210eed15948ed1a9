#!/usr/bin/env python3
"""Times PyTorch (CPU) on the operations of `mantissa-bench elementwise` and writes the same JSON
rows, for `mantissa-bench elementwise --compare FILE`. GB/s count bytes read + written.
Needs `pip install "torch==2.13.0+cpu"`. Optional: not part of the library or its tests.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchcommon import best_time, cpu_name, write_json  # noqa: E402



def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default=f"{1 << 16},{1 << 24}")
    parser.add_argument("--threads", default=f"1,{os.cpu_count()}")
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    import torch

    rows = []
    for threads in sorted({int(t) for t in args.threads.split(",")}):
        torch.set_num_threads(threads)
        for count in [int(c) for c in args.counts.split(",")]:
            a32 = torch.arange(count, dtype=torch.float32) % 1000 * 0.001 - 0.5
            b32 = torch.arange(count, dtype=torch.float32) % 777 * 0.001
            c32 = torch.empty_like(a32)
            a16, b16 = a32.half(), b32.half()
            c16 = torch.empty_like(a16)
            cases = [
                ("torch-f32-vadd", 12, lambda: torch.add(a32, b32, out=c32)),
                ("torch-f16-vadd", 6, lambda: torch.add(a16, b16, out=c16)),
                ("torch-f32-vrelu", 8, lambda: torch.relu(a32)),
                ("torch-f16-vrelu", 4, lambda: torch.relu(a16)),
                ("torch-f32-f16-vcvt", 6, lambda: c16.copy_(a32)),
                ("torch-f16-f32-vcvt", 6, lambda: c32.copy_(a16)),
                ("torch-f32-rsum", 4, lambda: a32.sum()),
            ]
            for name, bytes_per, fn in cases:
                seconds = best_time(fn)
                gbps = bytes_per * count / seconds * 1e-9
                rows.append(dict(suite="elementwise", id=name, m=count, n=1, k=1, threads=threads,
                                 seconds=seconds, cpu=cpu_name(), elements=count, gbps=gbps))
                print(f"{name} {count} threads {threads}: {seconds * 1e6:.1f} us, {gbps:.1f} GB/s")
    write_json(rows, args.json)


if __name__ == "__main__":
    main()
