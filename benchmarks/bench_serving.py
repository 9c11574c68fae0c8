"""Latency of one prediction: predict, the PyTorch module alone, and onnxruntime.

The models are bench_speed's latency workload (64 units on sequences of 30 steps and 4
features) at the package's defaults, fitted briefly: an ``LSTMRegressor`` (relative
inputs, standardised, the linear path) and an ``LSTMClassifier`` (both directions,
patches). The figures are medians over repetitions of the mean of many calls on one
sample, run interleaved in one process:

- ``predict`` (``predict_proba`` for the classifier) on a numpy array of one sample;
- ``module, 1 row`` and ``module, 8 rows``: the fitted ``net_.module_`` in inference
  mode on a prebuilt tensor of what the network reads (the sample's relative and
  standardised steps), alone and padded with zero rows to the 8 that ``predict`` runs
  (so that a row's prediction never depends on its batch mates): the floor of the
  framework, without validation, conversion or scaling;
- ``onnxruntime``: ``session.run`` on the graph from :func:`sklearn_rnn.to_onnx`, one
  thread, with the scaling inside (the same output as ``predict``).

The ratio to the module on 8 rows is what ``predict`` adds around the batch it runs: the
median over repetitions of the ratio within each repetition (paired, so that the
machine's drift between repetitions cancels).

Usage::

    python benchmarks/bench_serving.py [--repeats 7] [--calls 500] [--json out.json]
"""

import argparse
import json
import statistics
import time

import numpy as np
import torch

from sklearn_rnn import LSTMClassifier, LSTMRegressor, to_onnx


def network_input(model, X, rows):
    """What ``model``'s network reads of ``X`` (one sample), padded to ``rows`` rows."""
    X3 = np.asarray(X, dtype=np.float32)  # complete 3-D sequences: no lengths
    representation = model.representation_
    inputs = representation.encode_inputs(X3, None, representation.rows(X3, None))
    padded = np.zeros((rows,) + inputs.shape[1:], dtype=np.float32)
    padded[: len(inputs)] = inputs
    return torch.from_numpy(padded)


def calls_for(model, method, X, ort):
    """The timed calls of one model: its method, its module on 1 and 8 rows, onnxruntime."""
    module = model.net_.module_.eval()
    one, eight = network_input(model, X, 1), network_input(model, X, 8)
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        to_onnx(model).SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    output = 1 if method == "predict_proba" else 0
    np.testing.assert_allclose(
        session.run(None, {"X": X})[output], getattr(model, method)(X), atol=1e-4
    )

    def module_call(tensor):
        def call():
            with torch.inference_mode():
                return module(tensor)

        return call

    return {
        method: lambda: getattr(model, method)(X),
        "module, 1 row": module_call(one),
        "module, 8 rows": module_call(eight),
        "onnxruntime": lambda: session.run(None, {"X": X}),
    }


def measure(calls, repeats, n_calls):
    """Each call's times (s), one per repetition, the calls interleaved."""
    times = {name: [] for name in calls}
    for call in calls.values():
        for _ in range(50):  # warm-up
            call()
    for rep in range(repeats):
        order = list(calls)[rep % len(calls) :] + list(calls)[: rep % len(calls)]
        for name in order:
            start = time.perf_counter()
            for _ in range(n_calls):
                calls[name]()
            times[name].append((time.perf_counter() - start) / n_calls)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    import onnxruntime as ort

    rng = np.random.RandomState(0)
    X_train = rng.randn(256, 30, 4).astype(np.float32)
    y_train = X_train[:, -1, 0] + 0.1 * rng.randn(256).astype(np.float32)
    X = rng.randn(1, 30, 4).astype(np.float32)
    models = {
        "LSTMRegressor": (LSTMRegressor(hidden_size=64, max_epochs=1), "predict", y_train),
        "LSTMClassifier": (LSTMClassifier(hidden_size=64, max_epochs=1), "predict_proba", None),
    }
    results = {}
    for name, (model, method, y) in models.items():
        y = y if y is not None else (y_train > 0).astype(int)
        model.set_params(random_state=0).fit(X_train, y)
        times = measure(calls_for(model, method, X, ort), args.repeats, args.calls)
        floor = np.array(times["module, 8 rows"])
        results[name] = {
            call: {
                "us_per_call": statistics.median(t) * 1e6,
                "ratio_to_module_8_rows": float(np.median(np.array(t) / floor)),
            }
            for call, t in times.items()
        }
        print(f"\n{name}{'µs/call':>{26 - len(name)}s}{'/ module, 8 rows':>18s}")
        for call, r in results[name].items():
            print(f"  {call:22s}{r['us_per_call']:10.1f}{r['ratio_to_module_8_rows']:18.3f}")
    print(f"\ntorch threads: {torch.get_num_threads()}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch_threads": torch.get_num_threads(), "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
