"""Latency of one prediction: predict, the PyTorch module alone, and onnxruntime.

The model is bench_speed's latency workload (an LSTM of 64 units on sequences of 30
steps and 4 features) at the package's defaults for a forecaster (standardised input,
the linear path), fitted briefly; the figures are medians over repetitions of the mean
of many calls on one sample, run interleaved in one process:

- ``predict``: ``model.predict(X)`` on a numpy array of one sample;
- ``module``: the fitted ``net_.module_`` on a prebuilt tensor, no validation, no
  scaling (so not the same output: the floor of the framework);
- ``onnxruntime``: ``session.run`` on the graph from :func:`sklearn_rnn.to_onnx`, one
  thread, with the scaling inside (the same output as ``predict``).

Usage::

    python benchmarks/bench_serving.py [--repeats 7] [--calls 500]
"""

import argparse
import statistics
import time

import numpy as np
import torch

from sklearn_rnn import LSTMRegressor, to_onnx


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args(argv)
    import onnxruntime as ort

    rng = np.random.RandomState(0)
    X_train = rng.randn(256, 30, 4).astype(np.float32)
    y_train = X_train[:, -1, 0] + 0.1 * rng.randn(256).astype(np.float32)
    model = LSTMRegressor(hidden_size=64, max_epochs=1, random_state=0).fit(X_train, y_train)
    X = rng.randn(1, 30, 4).astype(np.float32)
    X_tensor = torch.from_numpy(X)
    module = model.net_.module_.eval()
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        to_onnx(model).SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    np.testing.assert_allclose(session.run(None, {"X": X})[0], model.predict(X), atol=1e-4)

    def module_call():
        with torch.no_grad():
            return module(X_tensor)

    calls = {
        "predict": lambda: model.predict(X),
        "module": module_call,
        "onnxruntime": lambda: session.run(None, {"X": X}),
    }
    times = {name: [] for name in calls}
    for call in calls.values():
        for _ in range(50):  # warm-up
            call()
    for rep in range(args.repeats):
        order = list(calls)[rep % len(calls) :] + list(calls)[: rep % len(calls)]
        for name in order:
            start = time.perf_counter()
            for _ in range(args.calls):
                calls[name]()
            times[name].append((time.perf_counter() - start) / args.calls)
    medians = {name: statistics.median(t) for name, t in times.items()}
    print(f"{'':14s}{'µs/call':>10s}{'/ predict':>11s}{'/ module':>10s}")
    for name, median in medians.items():
        print(
            f"{name:14s}{median * 1e6:10.1f}{median / medians['predict']:11.3f}"
            f"{median / medians['module']:10.3f}"
        )
    print(f"torch threads: {torch.get_num_threads()}")


if __name__ == "__main__":
    main()
