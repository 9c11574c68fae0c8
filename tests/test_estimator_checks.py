"""scikit-learn's own estimator checks, at default parameters, with no expected failure."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn import GRURegressor, LSTMRegressor, RNNRegressor


@parametrize_with_checks([RNNRegressor(), LSTMRegressor(), GRURegressor()])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
