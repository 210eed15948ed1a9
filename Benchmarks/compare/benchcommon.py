"""Helpers shared by the comparison scripts: timing, the CPU name, and atomic JSON output."""
import json
import os
import time


def cpu_name():
    """The CPU model and family from /proc/cpuinfo, as mantissa-bench prints them."""
    model, family = "unknown CPU", None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "unknown CPU":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("cpu family") and family is None:
                    family = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return model + (f" (family {family})" if family else "")


def best_time(fn, minimum=0.1, runs=3):
    """The best of repeated timed calls after one warm-up, repeating until `minimum` seconds."""
    fn()
    best, spent, n = float("inf"), 0.0, 0
    while n < runs or spent < minimum:
        t = time.perf_counter()
        fn()
        dt = time.perf_counter() - t
        best, spent, n = min(best, dt), spent + dt, n + 1
    return best


def write_json(rows, path):
    """Writes the rows atomically (a temporary file renamed over `path`)."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(rows, f, indent=2)
    os.replace(tmp, path)
    print(f"wrote {len(rows)} rows to {path}")
