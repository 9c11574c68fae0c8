"""The classifier family (its loss, labels and score), and its three cells."""

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils._param_validation import StrOptions  # private, see _base.py
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._base import NONLINEARITY, SHARED_PARAMETERS, BaseRecurrentEstimator, with_callbacks
from ._docstrings import LEADING_PARAMETERS, NONLINEARITY_DOC, classifier_doc
from ._fitted_state import NotAFittedState, fitted_attribute
from ._params import parameters, storing_init
from ._torch import LabelCrossEntropy, MultilabelLoss


def _unique(labels):
    """The distinct labels, or none when they cannot be compared (mixed types)."""
    try:
        return np.unique(labels)
    except TypeError:
        return np.array([])


# ``fit`` passes no ``classes`` to ``_encode_targets``; ``partial_fit`` always does.
_NOT_FROM_PARTIAL_FIT = object()


def _log_softmax(scores):
    """Log-probabilities of class scores, row by row, in float64."""
    scores = scores.astype(np.float64)
    scores = scores - scores.max(axis=1, keepdims=True)
    return scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))


def _log_sigmoid(scores):
    """log(sigmoid(scores)), elementwise, in float64 and without overflow."""
    return -np.logaddexp(0.0, -scores.astype(np.float64))


def _accuracy(y_true, y_pred, sample_weight=None):
    """Accuracy of scores ``y_pred`` against a column of class indices, or, for a
    multilabel indicator matrix (several columns), subset accuracy: every label right."""
    if y_true.shape[1] > 1:
        correct = ((y_pred > 0) == (y_true > 0.5)).all(axis=1).astype(np.float64)
    else:
        correct = (np.argmax(y_pred, axis=1) == y_true[:, 0]).astype(np.float64)
    return float(np.average(correct, weights=sample_weight))


# The classifiers' parameters: the shared ones, their defaults, and their own.
CLASSIFIER_PARAMETERS = parameters(
    SHARED_PARAMETERS,
    defaults={
        "bidirectional": True,
        "linear_window": 0,
        "lr": 0.01,
        "max_epochs": 200,
        "early_stopping": False,
        "n_iter_no_change": 10,
    },
    after={"column_order": {"class_weight": None}},
)


class BaseRecurrentClassifier(ClassifierMixin, BaseRecurrentEstimator):
    """The classifier family: labels of any kind, cross-entropy, accuracy for validation."""

    _y_numeric = False
    _target_attributes = {"classes_": np.ndarray, "_multilabel": bool}
    classes_ = fitted_attribute("classes_")
    _multilabel = fitted_attribute("_multilabel")
    _stratified_validation = True

    _parameter_constraints: dict = {
        **BaseRecurrentEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    __init__ = storing_init(CLASSIFIER_PARAMETERS)

    @_fit_context(prefer_skip_nested_validation=True)
    @with_callbacks
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on ``X`` and ``y``, continuing any earlier training.

        The first call builds the network and needs every class in ``classes``;
        later calls continue it, whatever ``warm_start`` says.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Training sequences, in the form used in the first call.
        y : array-like of shape (n_samples,)
            Labels.
        classes : array-like of shape (n_classes,), default=None
            Every label that ``y`` may hold, in any call. Required in the first
            call, ignored (but checked, if given) in later ones.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The estimator, trained for one more epoch.
        """
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            # One call's y is a sample of the classes, not their frequencies.
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit, as in "
                "SGDClassifier: each call sees only part of the data. Compute the "
                "weights once with sklearn.utils.class_weight.compute_class_weight("
                "'balanced', classes=classes, y=y) on enough of the labels and pass the "
                "resulting {label: weight} dict as class_weight."
            )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict_proba(self, X):
        """The probability of each class for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Sequences in the form used in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities (softmax of the network's outputs), columns in the
            order of ``classes_``; for a multilabel model, each label's probability
            (the sigmoid of its output).
        """
        return np.exp(self.predict_log_proba(X))

    def predict_log_proba(self, X):
        """The logarithm of each class's probability for sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_timesteps), or list of array-like
            Sequences in the form used in ``fit``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        fitted = self._fitted_view()
        scores, _ = fitted._forward(X)  # the scores, and what decoding would read
        return _log_sigmoid(scores) if fitted._multilabel else _log_softmax(scores)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    # -- the family's hooks ------------------------------------------------------------

    def _criterion(self, target_state):
        return MultilabelLoss if target_state["_multilabel"] else LabelCrossEntropy

    def _encode_targets(self, y, sample_weight, *, continues, classes=_NOT_FROM_PARTIAL_FIT):
        """Labels as a float32 column of class indices, ``classes_``, and the weights
        (times the class weights). ``classes`` is given by ``partial_fit`` only."""
        partial = classes is not _NOT_FROM_PARTIAL_FIT
        classes = classes if partial else None
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if continues and self._multilabel != (y.ndim == 2):
            fitted_kind = "a multilabel" if self._multilabel else "a 1-D"
            raise ValueError(
                f"This {type(self).__name__} was fitted on {fitted_kind} y; a warm start "
                "or partial_fit must continue with the same kind."
            )
        if y.ndim == 2:
            return self._encode_multilabel(y, sample_weight, continues, partial, classes)
        check_classification_targets(y)
        fitted = self.classes_ if continues else None
        given = None if classes is None else np.unique(np.asarray(classes))
        if fitted is not None and given is not None and not np.array_equal(given, fitted):
            raise ValueError(
                f"classes={given.tolist()} differs from the classes of the first call "
                f"to partial_fit, {fitted.tolist()}."
            )
        known = fitted if fitted is not None else given
        if known is None:
            if partial:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: every "
                    "label that y may hold in any call."
                )
            known = np.unique(y)
        unseen = np.setdiff1d(y, known)
        if unseen.size:
            raise ValueError(
                f"y holds labels that are not among the classes {known.tolist()}: "
                f"{unseen.tolist()}."
            )
        if len(known) < 2:
            raise ValueError(
                f"y holds only one class ({known.tolist()}); a classifier needs samples "
                "of at least 2 classes."
            )
        index = np.searchsorted(known, y)
        sample_weight = self._weighted_by_class(y, known, sample_weight)
        Y = index.astype(np.float32).reshape(-1, 1)
        return Y, {"classes_": known, "_multilabel": False}, sample_weight

    def _encode_multilabel(self, y, sample_weight, continues, partial, classes):
        """A 0/1 indicator matrix as float32, one output (and one sigmoid) per label.

        As in ``MLPClassifier``, ``classes_`` is then ``arange(n_labels)``.
        """
        if type_of_target(y) != "multilabel-indicator":
            raise ValueError(
                f"y has shape {y.shape} but is not a multilabel indicator matrix (0 or 1 "
                "for each label, at least two labels); multioutput y with other values "
                "is not supported."
            )
        if self.class_weight is not None:
            raise ValueError("class_weight is not supported with a multilabel y.")
        labels = np.arange(y.shape[1])
        if continues and len(self.classes_) != len(labels):
            raise ValueError(
                f"y has {len(labels)} labels, but the fitted network predicts "
                f"{len(self.classes_)}; a warm start or partial_fit cannot change that."
            )
        if partial and not continues and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: for a "
                f"multilabel y, the label indices {labels.tolist()}."
            )
        if classes is not None and not np.array_equal(np.unique(classes), labels):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} must be the label indices "
                f"{labels.tolist()} of the multilabel y."
            )
        Y = np.asarray(y, dtype=np.float32)
        return Y, {"classes_": labels, "_multilabel": True}, sample_weight

    def _weighted_by_class(self, y, classes, sample_weight):
        """``sample_weight`` times each sample's class weight (``class_weight``)."""
        if self.class_weight is None:
            return sample_weight
        if isinstance(self.class_weight, dict):
            known = set(classes.tolist())
            absent = [c for c in self.class_weight if c not in known]
            if absent:
                raise ValueError(
                    f"class_weight names labels that are not classes of y: {absent} "
                    f"(the classes are {classes.tolist()})."
                )
        weight = compute_sample_weight(self.class_weight, y)
        return weight if sample_weight is None else weight * sample_weight

    def _decode_outputs(self, outputs, rows=None):
        if self._multilabel:
            return (outputs > 0).astype(np.int64)
        return self.classes_[np.argmax(outputs, axis=1)]

    @staticmethod
    def _validation_score(y_true, y_pred, sample_weight=None):
        return _accuracy(y_true, y_pred, sample_weight)

    def _check_target_state(self, state):
        """The classes a fit records: distinct labels, at least 2 of them (a multilabel
        model's are ``arange(n_labels)``)."""
        classes, reason = state["classes_"], None
        if classes.ndim != 1 or len(classes) < 2:
            reason = f"classes_ has shape {classes.shape}, not 2 or more labels"
        elif len(_unique(classes)) != len(classes):
            reason = "classes_ repeats a label, or holds labels that cannot be ordered"
        elif state["_multilabel"] and not np.array_equal(classes, np.arange(len(classes))):
            reason = "a multilabel model's classes_ are not 0, 1, ..., n_labels - 1"
        if reason:
            raise NotAFittedState(type(self).__name__, reason)

    _output_size_name = "len(classes_)"

    @staticmethod
    def _output_size(state):
        return len(state["classes_"])


class LSTMClassifier(BaseRecurrentClassifier):
    __doc__ = classifier_doc(
        "Long short-term memory (LSTM) network classifier for sequences.",
        "The LSTM cell's gates and separate cell state let gradients flow across many\n"
        "    time steps.",
        "LSTMClassifier",
    )
    _cell = "lstm"


class GRUClassifier(BaseRecurrentClassifier):
    __doc__ = classifier_doc(
        "Gated recurrent unit (GRU) network classifier for sequences.",
        "The GRU cell gates its hidden state like an LSTM, with fewer parameters.",
        "GRUClassifier",
    )
    _cell = "gru"


class RNNClassifier(BaseRecurrentClassifier):
    __doc__ = classifier_doc(
        "Plain (Elman) recurrent neural network classifier for sequences.",
        "The simplest recurrent cell; prefer LSTMClassifier or GRUClassifier when\n"
        "    dependencies span many steps.",
        "RNNClassifier",
        extra_parameters=LEADING_PARAMETERS + NONLINEARITY_DOC,
    )
    _cell = "rnn"

    _parameter_constraints: dict = {
        **BaseRecurrentClassifier._parameter_constraints,
        "nonlinearity": [StrOptions({"tanh", "relu"})],
    }

    __init__ = storing_init(parameters(CLASSIFIER_PARAMETERS, after=NONLINEARITY))

    def _module_params(self):
        return {"nonlinearity": self.nonlinearity}
