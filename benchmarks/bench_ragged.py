"""Ragged sequences against equal-length ones of the same total number of steps.

A ragged set (lengths spread uniformly around a mean) and an equal-length set with the
same number of sequences and of time steps in all are fitted and predicted by the same
estimator, interleaved in one process after a warm-up. The figure reported is the
median over repetitions of the paired ratio ``time(ragged) / time(equal)``; the goal
is at most 1.5. A last, single run times one very long sequence among short ones.

Usage::

    python benchmarks/bench_ragged.py                 # table on stdout
    python benchmarks/bench_ragged.py --json out.json --repeats 5
"""

import argparse
import json
import platform
import statistics
import sys
import time

import numpy as np
import torch

from sklearn_rnn import GRURegressor, LSTMRegressor

# name: (estimator, n_samples, mean length, spread of lengths, n_features, hidden, epochs)
WORKLOADS = {
    "lstm": (LSTMRegressor, 2_000, 100, 90, 2, 32, 2),
    "gru-2-layers": (GRURegressor, 2_000, 100, 90, 2, 32, 2),
    "lstm-bidir": (LSTMRegressor, 2_000, 100, 90, 2, 32, 2),
    "gru-bidir-2-layers": (GRURegressor, 2_000, 100, 90, 2, 32, 2),
}
GOAL = 1.5


def ragged_set(n, mean, spread, n_features, seed=0):
    """``n`` sequences of lengths uniform in ``mean ± spread``, and their targets."""
    rng = np.random.RandomState(seed)
    lengths = rng.randint(mean - spread, mean + spread + 1, n)
    X = [rng.randn(length, n_features).astype(np.float32) for length in lengths]
    y = np.array([seq[-1, 0] + 0.5 * seq[0, -1] for seq in X], dtype=np.float32)
    return X, y


def equal_set(n, mean, n_features, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, mean, n_features).astype(np.float32)
    return X, (X[:, -1, 0] + 0.5 * X[:, 0, -1]).astype(np.float32)


def _timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def run(name, repeats):
    Estimator, n, mean, spread, n_features, hidden, epochs = WORKLOADS[name]
    # Every step read (patch_size=1): "auto" would give the two sets different patches.
    params = {"hidden_size": hidden, "max_epochs": epochs, "patch_size": 1, "random_state": 0}
    if name.endswith("2-layers"):
        params["num_layers"] = 2
    if "bidir" in name:
        params["bidirectional"] = True
    ragged, equal = ragged_set(n, mean, spread, n_features), equal_set(n, mean, n_features)
    steps = sum(len(seq) for seq in ragged[0])
    assert abs(steps - n * mean) < 0.02 * n * mean, "the two sets must have ~equal steps"
    models = {}

    def fit(which):
        data = ragged if which == "ragged" else equal
        models[which] = Estimator(**params).fit(*data)

    def predict(which):
        models[which].predict((ragged if which == "ragged" else equal)[0])

    for which in ("ragged", "equal"):  # warm-up
        fit(which)
        predict(which)
    ratios = {"fit": [], "predict": []}
    times = {"fit": {"ragged": [], "equal": []}, "predict": {"ragged": [], "equal": []}}
    for r in range(repeats):
        for task, fn in (("fit", fit), ("predict", predict)):
            order = ("ragged", "equal") if r % 2 == 0 else ("equal", "ragged")
            t = {which: _timed(fn, which) for which in order}
            for which in order:
                times[task][which].append(t[which])
            ratios[task].append(t["ragged"] / t["equal"])
    return {
        task: {
            "ratio": statistics.median(ratios[task]),
            "ragged_s": statistics.median(times[task]["ragged"]),
            "equal_s": statistics.median(times[task]["equal"]),
        }
        for task in ratios
    }


def one_long_sequence(long=100_000, n_short=999, short=20):
    """One epoch of fit and a predict with one very long sequence among short ones."""
    X, y = ragged_set(n_short, short, 0, 1)
    rng = np.random.RandomState(1)
    X = [*X, rng.randn(long, 1).astype(np.float32)]
    y = np.append(y, 0.0)
    model = LSTMRegressor(hidden_size=32, max_epochs=1, patch_size=1, random_state=0)
    fit_s = _timed(model.fit, X, y)
    predict_s = _timed(model.predict, X[-1:])
    return {"fit_one_epoch_s": fit_s, "predict_long_alone_s": predict_s}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--no-long", action="store_true", help="skip the very long sequence")
    parser.add_argument("--only", nargs="*", help="workloads to run (default: all)")
    args = parser.parse_args(argv)
    results = {"machine": platform.machine(), "torch": torch.__version__}
    results["torch_threads"] = torch.get_num_threads()
    print(f"{'workload':18s} {'task':8s} {'ragged s':>9s} {'equal s':>9s} {'ratio':>6s}")
    for name in args.only or WORKLOADS:
        results[name] = run(name, args.repeats)
        for task, row in results[name].items():
            flag = "" if row["ratio"] <= GOAL else f"  (goal {GOAL})"
            print(
                f"{name:18s} {task:8s} {row['ragged_s']:9.3f} {row['equal_s']:9.3f} "
                f"{row['ratio']:6.2f}{flag}"
            )
    if not args.no_long:
        results["one_long_sequence"] = one_long_sequence()
        print("one sequence of 100,000 steps among 999 of 20:", results["one_long_sequence"])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
