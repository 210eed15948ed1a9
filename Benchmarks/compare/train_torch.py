#!/usr/bin/env python3
"""Times PyTorch training steps of the same two models as `mantissa-bench train` (the seed example
and the large MLP) in fp32, autocast float16 and autocast bfloat16 on the CPU, and writes the same
JSON rows, so `mantissa-bench train --compare FILE` prints them side by side.

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
    parser.add_argument("--threads", default=f"1,{os.cpu_count()}")
    parser.add_argument("--quick", action="store_true", help="1024-wide MLP instead of 4096")
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    import torch

    models = [("seed", 1000, 10, 20, 1),
              ("mlp-1024", 1024, 1024, 1024, 1024) if args.quick else ("mlp-4096", 4096, 1024, 4096, 1024)]
    rows = []
    for threads in sorted({int(t) for t in args.threads.split(",")}):
        torch.set_num_threads(threads)
        for name, batch, inputs, hidden, outputs in models:
            torch.manual_seed(0)
            x = torch.randn(batch, inputs)
            y = torch.randn(batch, outputs)
            # Forward and weight gradients of both layers, the input gradient of the second
            # only (x does not require a gradient), as mantissa-bench train counts them.
            flops = 2.0 * batch * (2 * inputs * hidden + 3 * hidden * outputs)
            for mode in ["fp32", "autocast-f16", "autocast-bf16"]:
                net = torch.nn.Sequential(torch.nn.Linear(inputs, hidden), torch.nn.ReLU(),
                                          torch.nn.Linear(hidden, outputs))
                opt = torch.optim.SGD(net.parameters(), lr=1e-4)
                loss_fn = torch.nn.MSELoss()
                dtype = {"autocast-f16": torch.float16, "autocast-bf16": torch.bfloat16}.get(mode)

                def step():
                    opt.zero_grad()
                    if dtype is None:
                        loss = loss_fn(net(x), y)
                    else:
                        with torch.autocast("cpu", dtype=dtype):
                            loss = loss_fn(net(x).float(), y)
                    loss.backward()
                    opt.step()

                minimum = 1.0 if flops > 1e10 else 0.3
                if dtype == torch.float16 and flops > 1e10:
                    minimum = 0  # fp16 autocast on CPUs without fp16 units is very slow
                seconds = best_time(step, minimum)
                rows.append(dict(suite="train", id=f"torch-{name}-{mode}", m=batch, n=outputs, k=inputs,
                                 threads=threads, seconds=seconds, gflops=flops / seconds * 1e-9,
                                 cpu=cpu_name()))
                print(f"torch {name} {mode} threads {threads}: {seconds * 1e6:.1f} us/step",
                      file=sys.stderr)
    write_json(rows, args.json)


if __name__ == "__main__":
    main()
