"""Speed of the classifiers against a hand-written PyTorch loop.

The same model (one LSTM layer and a linear head giving one score per class), data
(float32 sequences, integer labels), optimizer (Adam), batch size and epochs: the raw
loop over prebuilt tensors (randperm, slice a batch, zero_grad, forward,
cross-entropy, backward, step) against ``LSTMClassifier.fit`` on numpy input,
validation included, with ``standardize=False`` (the raw loop does not scale either),
one direction and no patches (the raw loop's model).
Prediction: ``predict_proba`` on 100,000 sequences against the raw module's forward
and softmax in batches of 128. Interleaved in one process after a warm-up; the figure
is the median of paired ratios ``time(ours) / time(raw)``, goal at most 1.05.

Usage::

    python benchmarks/bench_classify.py                 # table on stdout
    python benchmarks/bench_classify.py --json out.json --repeats 5
"""

import argparse
import gc
import json
import statistics
import sys
import time

import numpy as np
import torch

from sklearn_rnn import LSTMClassifier

LR = 1e-3
# n_samples, n_timesteps, n_features, n_classes, hidden_size, batch_size, epochs
FIT = (20_000, 30, 4, 5, 64, 128, 3)
PREDICT = (100_000, 30, 4, 5, 64)
GOAL = 1.05


class LastStepLSTM(torch.nn.Module):
    def __init__(self, input_size, hidden_size, n_classes):
        super().__init__()
        self.rnn = torch.nn.LSTM(input_size, hidden_size, batch_first=True)
        self.head = torch.nn.Linear(hidden_size, n_classes)

    def forward(self, X):
        _, (h_n, _) = self.rnn(X)
        return self.head(h_n[-1])


def make_data(n, t, f, n_classes, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, t, f).astype(np.float32)
    score = X[:, -1, 0] + 0.5 * X[:, 0, -1]
    edges = np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1])
    return X, np.searchsorted(edges, score)


def fit_raw(X, y, n_classes, hidden, batch_size, epochs):
    torch.manual_seed(0)
    model = LastStepLSTM(X.shape[2], hidden, n_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    n = len(X_t)
    for _ in range(epochs):
        perm = torch.randperm(n)
        for start in range(0, n, batch_size):
            idx = perm[start : start + batch_size]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(X_t[idx]), y_t[idx])
            loss.backward()
            optimizer.step()
    return model


def fit_ours(X, y, n_classes, hidden, batch_size, epochs):
    return LSTMClassifier(
        hidden_size=hidden,
        lr=LR,
        batch_size=batch_size,
        max_epochs=epochs,
        standardize=False,
        bidirectional=False,  # the raw loop's model: one direction, every step
        patch_size=1,
        random_state=0,
    ).fit(X, y)


def proba_raw(model, X, batch_size=128):
    X_t = torch.from_numpy(X)
    model.eval()
    with torch.no_grad():
        return torch.cat(
            [
                torch.softmax(model(X_t[s : s + batch_size]), 1)
                for s in range(0, len(X_t), batch_size)
            ]
        ).numpy()


def _timed(fn, *args):
    gc.collect()
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def paired(calls, repeats):
    times = {name: [] for name in calls}
    for call in calls.values():  # warm-up
        call()
    for rep in range(repeats):
        order = list(calls) if rep % 2 == 0 else list(calls)[::-1]
        for name in order:
            times[name].append(_timed(calls[name]))
    ratios = [o / r for o, r in zip(times["ours"], times["raw"], strict=True)]
    return {
        "raw_s": statistics.median(times["raw"]),
        "ours_s": statistics.median(times["ours"]),
        "ratio": statistics.median(ratios),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    n, t, f, k, hidden, batch_size, epochs = FIT
    X, y = make_data(n, t, f, k)
    results = {"torch": torch.__version__, "torch_threads": torch.get_num_threads()}
    results["fit"] = paired(
        {
            "raw": lambda: fit_raw(X, y, k, hidden, batch_size, epochs),
            "ours": lambda: fit_ours(X, y, k, hidden, batch_size, epochs),
        },
        args.repeats,
    )
    n, t, f, k, hidden = PREDICT
    ours = fit_ours(X[:2000], y[:2000], k, hidden, 128, 1)
    raw = LastStepLSTM(f, hidden, k)
    raw.load_state_dict({k2: v for k2, v in ours.net_.module_.state_dict().items()})
    X_big, _ = make_data(n, t, f, k, seed=1)
    results["predict_proba"] = paired(
        {"raw": lambda: proba_raw(raw, X_big), "ours": lambda: ours.predict_proba(X_big)},
        args.repeats,
    )
    for task in ("fit", "predict_proba"):
        row = results[task]
        flag = "" if row["ratio"] <= GOAL else f"  (goal {GOAL})"
        times = f"raw {row['raw_s']:.3f} s  ours {row['ours_s']:.3f} s"
        print(f"{task:14s} {times}  {row['ratio']:.3f}x{flag}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
