"""Benchmark of the hot kernels: threat_step (numba vs numpy reference vs a bare stencil) and
travel_times (numba Dijkstra vs scipy csgraph, with and without the cached graph).

    python benchmarks/threat_kernel.py           # 256x256 and 1024x1024, ~30 s
    python benchmarks/threat_kernel.py --quick   # 64x64, a few seconds (smoke test)

Every kernel is compiled and run once before timing. Each timing is the median over repeats of
a batch of calls sized to last ~0.2 s; the engines are interleaved within each repeat so a
noisy neighbour on a shared machine hits them all alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numba
import numpy as np
import scipy
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from pocsim.kernels.threat import bare_stencil, conductance, retention_field, threat_step  # noqa: E402
from pocsim.kernels.travel import clear_graph_cache, travel_times  # noqa: E402


def cost_field(shape, seed=0):
    """Hours per km: rolling terrain 0.5..4 (median ~2.3), straight tracks at 0.5, lakes
    impassable."""
    rng = np.random.default_rng(seed)
    ny, nx = shape
    rough = ndimage.gaussian_filter(rng.standard_normal(shape), sigma=max(ny, nx) / 40)
    rough = (rough - rough.min()) / (np.ptp(rough) or 1.0)
    cost = 0.5 + 3.5 * rough
    cost[rough > np.quantile(rough, 0.96)] = np.inf  # the roughest 4%: lakes, cliffs
    for _ in range(max(2, ny // 64)):  # tracks: one row and one column each
        cost[rng.integers(ny), :] = 0.5
        cost[:, rng.integers(nx)] = 0.5
    return cost


@numba.njit  # compiled in the warm-up; not cached, a script has no stable module path
def stream_floor(a, b, c, d, out):
    """No stencil, same bytes as threat_step: read one float64 array (the threat) and three
    float32 ones (cx, cy, retention), write one float64 array."""
    ny, nx = a.shape
    for y in range(ny):
        for x in range(nx):
            out[y, x] = a[y, x] + b[y, x] + c[y, x] + d[y, x]


def time_interleaved(fns, repeats, target_s):
    """Median seconds per call of each fn; batches sized to ~target_s, engines interleaved."""
    batch = {}
    for name, fn in fns.items():
        fn()  # warm-up: compile, fault in the pages
        t0 = time.perf_counter()
        fn()
        batch[name] = max(1, int(target_s / max(time.perf_counter() - t0, 1e-9)))
    samples = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            n = batch[name]
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - t0) / n)
    return {name: float(np.median(s)) for name, s in samples.items()}


def threat_fns(shape, seed=0):
    rng = np.random.default_rng(seed)
    cx, cy = conductance(cost_field(shape, seed))
    deterrence = ndimage.gaussian_filter((rng.random(shape) < 0.001) * 50.0, 3.0)
    retention = retention_field(deterrence, 0.02, 0.5)
    src_idx = rng.integers(0, shape[0] * shape[1], 50).astype(np.int64)
    src_amount = rng.uniform(0.0, 5.0, 50)
    spread = 0.5

    def stepper(engine):
        bufs = [rng.random(shape), np.empty(shape)]  # ping-pong, as the model does

        def run():
            threat_step(bufs[0], cx, cy, retention, spread, src_idx, src_amount, bufs[1], engine)
            bufs.reverse()

        return run

    a, b = rng.random(shape), np.empty(shape)
    s = [rng.random(shape), *(rng.random(shape, dtype=np.float32) for _ in range(3)),
         np.empty(shape)]
    return {
        "numba": stepper("numba"),
        "numpy": stepper("numpy"),
        "bare stencil": lambda: bare_stencil(a, b),
        "stream floor": lambda: stream_floor(s[0], s[1], s[2], s[3], s[4]),
    }


def travel_fns(shape, max_time):
    cost = cost_field(shape, seed=1)
    ny, nx = shape
    origin = np.array([(ny // 2) * nx + nx // 2], dtype=np.int64)
    cost.flat[origin] = 1.0  # never start in a lake
    reached = int(np.isfinite(travel_times(cost, origin, 1.0, max_time)).sum())

    def cold():  # the numpy engine as it was before the graph cache: build, then search
        clear_graph_cache()
        travel_times(cost, origin, 1.0, max_time, "numpy")

    return reached, {
        "numba": lambda: travel_times(cost, origin, 1.0, max_time, "numba"),
        "numpy": lambda: travel_times(cost, origin, 1.0, max_time, "numpy"),  # graph cached
        "numpy cold": cold,
    }


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"machine: {platform.platform()}; CPU: {cpu}; {os.cpu_count()} logical cores\n"
            f"python {platform.python_version()}, numba {numba.__version__}, "
            f"numpy {np.__version__}, scipy {scipy.__version__}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="64x64 only, few repeats")
    args = ap.parse_args(argv)
    repeats, target = (3, 0.02) if args.quick else (7, 0.2)
    grids = [(64, 64)] if args.quick else [(256, 256), (1024, 1024)]

    print(machine())
    print(f"median of {repeats} repeats, batches of ~{target} s, engines interleaved\n")
    print("threat_step (speed ratios are ratios of cell-updates per second)")
    print(f"| {'grid':>9} | {'engine':<12} | {'s/step':>9} | {'cells/s':>8} "
          f"| {'numba/numpy':>11} | {'bare/numba':>10} |")
    print(f"|{'-' * 11}|{'-' * 14}|{'-' * 11}|{'-' * 10}|{'-' * 13}|{'-' * 12}|")
    for shape in grids:
        t = time_interleaved(threat_fns(shape), repeats, target)
        cells = shape[0] * shape[1]
        for name, sec in t.items():
            r1 = f"{t['numpy'] / t['numba']:.1f}" if name == "numba" else ""
            r2 = f"{t['numba'] / t['bare stencil']:.2f}" if name == "numba" else ""
            print(f"| {shape[0]:>4}x{shape[1]:<4} | {name:<12} | {sec:9.3e} | {cells / sec:8.2e} "
                  f"| {r1:>11} | {r2:>10} |")

    print("\ntravel_times, one origin at the centre (scipy = engine 'numpy', "
          "scipy.sparse.csgraph.dijkstra: 'cached' reuses the graph, 'cold' builds it per call)")
    print(f"| {'case':<27} | {'cells reached':>13} | {'numba s':>9} | {'scipy s':>9} "
          f"| {'numba/scipy':>11} | {'cold scipy s':>12} | {'numba/cold':>10} |")
    print(f"|{'-' * 29}|{'-' * 15}|{'-' * 11}|{'-' * 11}|{'-' * 13}|{'-' * 14}|{'-' * 12}|")
    if args.quick:
        cases = [("64x64 full", (64, 64), np.inf), ("256x256, max_time 25 h", (256, 256), 25.0)]
    else:
        # 30 km off-road at the median cost of ~2.3 h/km; tracks make it reach further
        cases = [("200x200 full", (200, 200), np.inf),
                 ("1024x1024, max_time 70 h", (1024, 1024), 70.0)]
    for label, shape, max_time in cases:
        reached, fns = travel_fns(shape, max_time)
        t = time_interleaved(fns, repeats, target)
        print(f"| {label:<27} | {reached:>13} | {t['numba']:9.3e} | {t['numpy']:9.3e} "
              f"| {t['numpy'] / t['numba']:11.1f} | {t['numpy cold']:12.3e} "
              f"| {t['numpy cold'] / t['numba']:10.1f} |")
    clear_graph_cache()


if __name__ == "__main__":
    main()
