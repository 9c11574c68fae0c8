"""Recurrent neural networks (RNN, LSTM, GRU) as scikit-learn estimators."""

from ._classifiers import GRUClassifier, LSTMClassifier, RNNClassifier
from ._onnx import register_onnx_converters, to_onnx
from ._panel import Panel, SeriesTimeSplit, frame_panel
from ._persistence import load_model, save_model
from ._plot import LossCurveDisplay
from ._regressors import GRURegressor, LSTMRegressor, RNNRegressor
from ._window import SlidingWindowTransformer, frame_forecast

__all__ = [
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "LossCurveDisplay",
    "Panel",
    "RNNClassifier",
    "RNNRegressor",
    "SeriesTimeSplit",
    "SlidingWindowTransformer",
    "frame_forecast",
    "frame_panel",
    "load_model",
    "register_onnx_converters",
    "save_model",
    "to_onnx",
]
__version__ = "0.1.0.dev0"
