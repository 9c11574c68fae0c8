import numpy as np
import pytest

from sklearn_rnn import GRURegressor, LSTMRegressor, RNNRegressor

ESTIMATORS = [RNNRegressor, LSTMRegressor, GRURegressor]


@pytest.fixture
def rng():
    return np.random.RandomState(0)
