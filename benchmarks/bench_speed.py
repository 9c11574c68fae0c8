"""Speed of sklearn-rnn against a hand-written PyTorch loop and plain skorch.

Each workload is run by three implementations, interleaved in one process (the order
rotating between repetitions), after a warm-up of each:

- ``raw``: a hand-written PyTorch loop over prebuilt float32 tensors (randperm, slice
  a batch, zero_grad, forward, backward, step): the physical limit of this design;
- ``ours``: ``LSTMRegressor.fit`` / ``predict`` on numpy input, validation included,
  with the same model (``relative_to=None, standardize=False, linear_window=0``);
- ``skorch``: a plain ``skorch.NeuralNetRegressor`` with the same hand-written module;
- ``defaults``: ``LSTMRegressor`` at its defaults, which read each step relative to the
  last beside the step (twice the features), standardise the data, add the linear path
  (started from ridge regression), hold out a tenth for early stopping (validated every
  epoch; with a fixed number of epochs here) and read long sequences in patches: what
  the defaults cost beside it.

Same model (one LSTM layer and a linear head on its last state), data, optimizer
(Adam), batch size and epochs. The figure reported is the median over repetitions of
the paired ratio ``time(implementation) / time(raw)``. Peak memory (RSS) of the W2 fit
is measured in a fresh subprocess per implementation.

Usage::

    python benchmarks/bench_speed.py                 # every workload, table on stdout
    python benchmarks/bench_speed.py --json out.json --repeats 7
    python benchmarks/bench_speed.py --only W1 latency
"""

import argparse
import gc
import json
import platform
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
from skorch import NeuralNetRegressor

from sklearn_rnn import LSTMRegressor

LR = 1e-3

# name: (n_samples, n_timesteps, n_features, hidden_size, batch_size, epochs)
FIT_WORKLOADS = {
    "W1": (4, 5, 1, 10, 4, 100),
    "W2": (20_000, 30, 4, 64, 128, 3),
    "W3": (2_000, 300, 1, 32, 64, 2),
    "W4": (50_000, 10, 1, 16, 32, 1),
}
# name: (n_samples, n_timesteps, n_features, hidden_size, raw batch size)
PREDICT_WORKLOADS = {
    "predict": (100_000, 30, 4, 64, 128),
    "latency": (1, 30, 4, 64, 1),
}
TARGETS = {"W1": 1.25, "W2": 1.05, "W3": 1.03, "W4": 1.08, "predict": 1.05, "latency": 1.25}


class LastStepLSTM(torch.nn.Module):
    """The hand-written module of the raw loop and of plain skorch."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.rnn = torch.nn.LSTM(input_size, hidden_size, batch_first=True)
        self.head = torch.nn.Linear(hidden_size, 1)

    def forward(self, X):
        _, (h_n, _) = self.rnn(X)
        return self.head(h_n[-1])


def make_data(n, t, f, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, t, f).astype(np.float32)
    y = (X[:, -1, 0] + 0.5 * X[:, 0, -1]).astype(np.float32)
    return X, y


def fit_raw(X, y, hidden, batch_size, epochs):
    torch.manual_seed(0)
    model = LastStepLSTM(X.shape[2], hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y).reshape(-1, 1)
    n = len(X_t)
    for _ in range(epochs):
        perm = torch.randperm(n)
        for start in range(0, n, batch_size):
            idx = perm[start : start + batch_size]
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(X_t[idx]), y_t[idx])
            loss.backward()
            optimizer.step()
    return model


SAME_MODEL = {
    "relative_to": None,
    "standardize": False,
    "linear_window": 0,
    "early_stopping": False,
    "patch_size": 1,
}


def fit_ours(X, y, hidden, batch_size, epochs, **params):
    return LSTMRegressor(
        hidden_size=hidden,
        lr=LR,
        batch_size=batch_size,
        max_epochs=epochs,
        random_state=0,
        **{**SAME_MODEL, **params},
    ).fit(X, y)


def fit_defaults(X, y, hidden, batch_size, epochs):
    defaults = LSTMRegressor().get_params()
    return fit_ours(X, y, hidden, batch_size, epochs, **{k: defaults[k] for k in SAME_MODEL})


def fit_skorch(X, y, hidden, batch_size, epochs):
    torch.manual_seed(0)
    return NeuralNetRegressor(
        LastStepLSTM,
        module__input_size=X.shape[2],
        module__hidden_size=hidden,
        optimizer=torch.optim.Adam,
        lr=LR,
        max_epochs=epochs,
        batch_size=batch_size,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
    ).fit(X, y.reshape(-1, 1))


def predict_raw(model, X, batch_size):
    X_t = torch.from_numpy(X)
    model.eval()
    with torch.no_grad():
        return torch.cat(
            [model(X_t[s : s + batch_size]) for s in range(0, len(X_t), batch_size)]
        ).numpy()


FITS = {"raw": fit_raw, "ours": fit_ours, "skorch": fit_skorch, "defaults": fit_defaults}


def _timed(fn, *args):
    gc.collect()
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def run_fit(name, repeats):
    n, t, f, hidden, batch_size, epochs = FIT_WORKLOADS[name]
    X, y = make_data(n, t, f)
    args = (X, y, hidden, batch_size, epochs)
    times = {impl: [] for impl in FITS}
    for fn in FITS.values():  # warm-up
        fn(*args) if name == "W1" else fn(X[:256], y[:256], hidden, batch_size, 1)
    for rep in range(repeats):
        order = list(FITS)[rep % len(FITS) :] + list(FITS)[: rep % len(FITS)]
        for impl in order:
            times[impl].append(_timed(FITS[impl], *args))
    return times


def run_predict(name, repeats):
    n, t, f, hidden, raw_batch = PREDICT_WORKLOADS[name]
    X_train, y_train = make_data(256, t, f)
    ours = fit_ours(X_train, y_train, hidden, 64, 1)
    defaults = fit_defaults(X_train, y_train, hidden, 64, 1)
    skorch_net = fit_skorch(X_train, y_train, hidden, 128, 1)
    raw = LastStepLSTM(f, hidden)
    raw.load_state_dict(skorch_net.module_.state_dict())
    X, _ = make_data(n, t, f, seed=1)
    calls = {
        "raw": lambda: predict_raw(raw, X, raw_batch),
        "ours": lambda: ours.predict(X),
        "skorch": lambda: skorch_net.predict(X),
        "defaults": lambda: defaults.predict(X),
    }
    inner = 200 if n == 1 else 1  # a single sample is timed over many calls
    times = {impl: [] for impl in calls}
    for call in calls.values():
        call()
    for rep in range(repeats):
        order = list(calls)[rep % len(calls) :] + list(calls)[: rep % len(calls)]
        for impl in order:
            gc.collect()
            start = time.perf_counter()
            for _ in range(inner):
                calls[impl]()
            times[impl].append((time.perf_counter() - start) / inner)
    return times


def _status_mib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(field)


def measure_peak_rss(impl):
    """In this process: RSS before the W2 fit and its peak during it (Linux), in MiB."""
    n, t, f, hidden, batch_size, epochs = FIT_WORKLOADS["W2"]
    X, y = make_data(n, t, f)
    FITS[impl](X[:256], y[:256], hidden, batch_size, 1)  # imports and first-call buffers
    gc.collect()
    before = _status_mib("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak (VmHWM) to the current RSS
    FITS[impl](X, y, hidden, batch_size, epochs)
    return {"before_mib": round(before, 1), "peak_mib": round(_status_mib("VmHWM"), 1)}


def peak_rss_w2(impl):
    """Peak RSS of the W2 fit with ``impl``, measured in a fresh process."""
    code = (
        "import json, sys; sys.path.insert(0, 'benchmarks'); import bench_speed as b; "
        f"print(json.dumps(b.measure_peak_rss('{impl}')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def summarise(times):
    raw = times["raw"]
    row = {"raw_median_s": statistics.median(raw)}
    for impl in ("ours", "skorch", "defaults"):
        ratios = [a / b for a, b in zip(times[impl], raw, strict=True)]
        row[f"{impl}_ratio"] = statistics.median(ratios)
        row[f"{impl}_median_s"] = statistics.median(times[impl])
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--only", nargs="*", help="workloads to run (default: all)")
    parser.add_argument("--no-rss", action="store_true", help="skip the W2 memory runs")
    args = parser.parse_args(argv)
    selected = args.only or [*FIT_WORKLOADS, *PREDICT_WORKLOADS]

    results = {}
    for name in selected:
        runner = run_fit if name in FIT_WORKLOADS else run_predict
        results[name] = summarise(runner(name, args.repeats))
        results[name]["target"] = TARGETS[name]
        print(f"{name}: {results[name]}", file=sys.stderr, flush=True)
    memory = None
    if not args.no_rss and "W2" in selected:
        memory = {impl: peak_rss_w2(impl) for impl in FITS}

    header = f"{'workload':<10}{'raw (s)':>10}{'ours':>8}{'skorch':>8}{'target':>8}{'defaults':>10}"
    print("\n" + header)
    for name, row in results.items():
        print(
            f"{name:<10}{row['raw_median_s']:>10.4f}{row['ours_ratio']:>7.2f}x"
            f"{row['skorch_ratio']:>7.2f}x{row['target']:>7.2f}x{row['defaults_ratio']:>9.2f}x"
        )
    if memory:
        print("\nRSS of the W2 fit (MiB): peak during the fit, and before it (data loaded):")
        for impl, m in memory.items():
            growth = m["peak_mib"] - m["before_mib"]
            print(
                f"  {impl:<8}{m['peak_mib']:>8.1f}  before {m['before_mib']:.1f}  (+{growth:.1f})"
            )
    if args.json:
        meta = {
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "machine": platform.machine(),
            "python": platform.python_version(),
            "repeats": args.repeats,
            "peak_rss_w2": memory,
            "max_rss_this_process_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
