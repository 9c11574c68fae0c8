import os

import numpy as np
import pytest

# The suite fixes the number of torch threads. The automatic policy picks fewer threads
# when other processes hold cores (sklearn_rnn/_torch/threads.py; tests/test_threads.py tests
# it), and many tests compare two fits to the last bit, which depends on that number.
# One thread also keeps the suite's tiny networks fast on a busy CI runner.
os.environ.setdefault("SKLEARN_RNN_NUM_THREADS", "1")

from sklearn_rnn import GRURegressor, LSTMRegressor, RNNRegressor

ESTIMATORS = [RNNRegressor, LSTMRegressor, GRURegressor]


@pytest.fixture
def rng():
    return np.random.RandomState(0)


@pytest.fixture
def one_torch_thread():
    """Run the test with one torch thread, as each joblib worker has on 2 cores."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def stored_copies(model, tmp_path):
    """``model`` as pickle, save_model and skops give it back, one after the other."""
    import pickle

    import skops.io as skops

    from sklearn_rnn import load_model, save_model

    save_model(model, tmp_path / "stored.pt")
    dumped = skops.dumps(model)
    return [
        pickle.loads(pickle.dumps(model)),
        load_model(tmp_path / "stored.pt"),
        skops.loads(dumped, trusted=skops.get_untrusted_types(data=dumped)),
    ]
