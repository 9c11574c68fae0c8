"""Recurrent neural networks (RNN, LSTM, GRU) as scikit-learn estimators."""

from ._regressors import GRURegressor, LSTMRegressor, RNNRegressor

__all__ = ["GRURegressor", "LSTMRegressor", "RNNRegressor"]
__version__ = "0.1.0.dev0"
