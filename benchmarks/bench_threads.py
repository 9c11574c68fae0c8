"""How the number of torch threads affects fit and predict, quiet and beside a busy core.

Each workload of ``bench_speed.py`` (the defaults' ``LSTMRegressor``) is timed with one
torch thread, with torch's default (one per core), both fixed through
``SKLEARN_RNN_NUM_THREADS``, and with the package's policy ("auto"), interleaved, after
a warm-up:
first on the machine as it is, then beside one busy process (a pure-Python spin loop
on one core, started by this script), which is what a CI runner, a notebook beside
another job or nested parallelism look like. The figure reported is the median time
of each; ``slower`` is loaded over quiet for the same setting.

Usage::

    python benchmarks/bench_threads.py                 # table on stdout
    python benchmarks/bench_threads.py --json out.json --repeats 3
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from bench_speed import FIT_WORKLOADS, PREDICT_WORKLOADS, fit_defaults, make_data  # noqa: E402

# The number of threads the package's policy uses, fixed (docs: "Performance").
ENV_VARIABLE = "SKLEARN_RNN_NUM_THREADS"

DEFAULT_THREADS = torch.get_num_threads()


def workloads():
    """name -> a function that runs it once."""
    calls = {}
    for name, (n, t, f, hidden, batch_size, epochs) in FIT_WORKLOADS.items():
        X, y = make_data(n, t, f)
        calls[f"fit {name}"] = lambda X=X, y=y, a=(hidden, batch_size, epochs): fit_defaults(
            X, y, *a
        )
    n, t, f, hidden, _ = PREDICT_WORKLOADS["predict"]
    X_train, y_train = make_data(256, t, f)
    model = fit_defaults(X_train, y_train, hidden, 64, 1)
    X, _ = make_data(n, t, f, seed=1)
    calls["predict"] = lambda: model.predict(X)
    return calls


def _settings():
    """setting -> value of SKLEARN_RNN_NUM_THREADS: fixed counts, and the policy (None)."""
    settings = {f"{k}t": str(k) for k in sorted({1, DEFAULT_THREADS})}
    settings["auto"] = None
    return settings


def measure(calls, repeats, settings):
    times = {name: {k: [] for k in settings} for name in calls}

    def run(call, value):
        if value is None:
            os.environ.pop(ENV_VARIABLE, None)
        else:
            os.environ[ENV_VARIABLE] = value
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    for name, call in calls.items():
        for value in settings.values():  # warm-up
            run(call, value)
        for rep in range(repeats):
            order = list(settings) if rep % 2 == 0 else list(settings)[::-1]
            for k in order:
                times[name][k].append(run(call, settings[k]))
    os.environ.pop(ENV_VARIABLE, None)
    return {name: {k: statistics.median(v) for k, v in row.items()} for name, row in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    settings = _settings()
    calls = workloads()
    results = {"default_threads": DEFAULT_THREADS, "load_before": os.getloadavg()[0]}
    results["quiet"] = measure(calls, args.repeats, settings)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(1.0)
        results["busy"] = measure(calls, args.repeats, settings)
    finally:
        busy.kill()
    header = "".join(f"{f'quiet {k}':>11s}{f'busy {k}':>11s}{'slower':>8s}" for k in settings)
    print(f"{'workload':10s}{header}")
    for name in calls:
        row = ""
        for k in settings:
            quiet, loaded = results["quiet"][name][k], results["busy"][name][k]
            row += f"{quiet:11.3f}{loaded:11.3f}{loaded / quiet:7.1f}x"
        print(f"{name:10s}{row}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
