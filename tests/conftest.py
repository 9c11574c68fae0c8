import numpy as np
import pytest

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
