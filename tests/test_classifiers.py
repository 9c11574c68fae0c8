"""The classifiers: labels of any kind, probabilities, class weights, partial_fit, errors."""

import copy
import pickle

import numpy as np
import pytest
import torch
from sklearn.utils.class_weight import compute_class_weight
from skorch.callbacks import Callback

from sklearn_rnn import (
    GRUClassifier,
    LSTMClassifier,
    RNNClassifier,
    load_model,
    save_model,
)

CLASSIFIERS = [RNNClassifier, LSTMClassifier, GRUClassifier]
FAST = {"hidden_size": 8, "max_epochs": 30, "random_state": 0}


def _sequences(n=90, seed=0):
    """Three classes told apart by the sign and size of the last step."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 6, 2)
    last = X[:, -1, 0]
    y = np.where(last > 0.5, 2, np.where(last < -0.5, 0, 1))
    return X, y


@pytest.mark.parametrize("Classifier", CLASSIFIERS)
@pytest.mark.parametrize("kind", ["int", "str", "bool"])
def test_labels_of_any_kind_and_consistent_probabilities(Classifier, kind):
    X, y = _sequences()
    if kind == "str":
        y = np.array(["low", "mid", "high"])[y]
    elif kind == "bool":
        y = y > 0
    model = Classifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(model.classes_, np.unique(y))
    predicted = model.predict(X)
    assert predicted.dtype == model.classes_.dtype and set(predicted) <= set(model.classes_)
    assert model.score(X, y) > 0.8
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), len(model.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], predicted)
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), proba, rtol=1e-6)


def test_ragged_and_nan_led_sequences_classify_alike():
    X, y = _sequences(n=60)
    ragged = [seq[i % 4 :] for i, seq in enumerate(X)]
    led = np.array(X)
    for i in range(len(X)):
        led[i, : i % 4] = np.nan
    a = LSTMClassifier(**FAST).fit(ragged, y)
    b = LSTMClassifier(**FAST).fit(led, y)
    np.testing.assert_array_equal(a.predict_proba(ragged), b.predict_proba(led))


def test_integer_class_weights_are_repeated_samples():
    X, y = _sequences(n=40)
    weighted = GRUClassifier(**FAST, class_weight={0: 2, 1: 1, 2: 1}).fit(X, y)
    twice = np.r_[np.arange(40), np.flatnonzero(y == 0)]
    repeated = GRUClassifier(**FAST).fit(X[twice], y[twice])
    np.testing.assert_array_equal(weighted.predict_proba(X), repeated.predict_proba(X))


def test_balanced_class_weight_lifts_the_rare_class():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 5, 1)
    y = (X[:, -1, 0] > 1.3).astype(int)  # about 10% positives
    plain = GRUClassifier(**FAST).fit(X, y)
    balanced = GRUClassifier(**FAST, class_weight="balanced").fit(X, y)
    rare = y == 1
    assert balanced.predict_proba(X)[rare, 1].mean() > plain.predict_proba(X)[rare, 1].mean()


def test_class_errors():
    X, y = _sequences(n=30)
    with pytest.raises(ValueError, match="only one class"):
        LSTMClassifier(max_epochs=1).fit(X, np.zeros(30))
    with pytest.raises(ValueError, match="Unknown label type"):
        LSTMClassifier(max_epochs=1).fit(X, np.linspace(0, 1, 30))
    with pytest.raises(ValueError, match="class_weight names labels that are not classes"):
        LSTMClassifier(max_epochs=1, class_weight={0: 1, 7: 2}).fit(X, y)
    with pytest.raises(ValueError, match="not a multilabel indicator matrix"):
        LSTMClassifier(max_epochs=1).fit(X, np.c_[y, y])  # 3 classes in each column


def test_partial_fit_needs_the_classes_first_and_refuses_unseen_labels():
    X, y = _sequences(n=30)
    model = GRUClassifier(hidden_size=4)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        model.partial_fit(X, y)
    assert not hasattr(model, "classes_")
    model.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])  # a class absent at first
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    model.partial_fit(X, y)
    assert model.n_iter_ == 2
    with pytest.raises(ValueError, match="labels that are not among the classes"):
        model.partial_fit(X, np.where(y == 2, 5, y))
    with pytest.raises(ValueError, match="differs from the classes of the first call"):
        model.partial_fit(X, y, classes=[0, 1])
    assert model.n_iter_ == 2


def test_early_stopping_monitors_accuracy():
    X, y = _sequences(n=120)
    model = LSTMClassifier(**FAST, early_stopping=True, n_iter_no_change=3).fit(X, y)
    scores = [s for s in model.validation_scores_ if not np.isnan(s)]
    assert all(0 <= s <= 1 for s in scores)
    assert model.best_validation_score_ == max(scores)


class _HeldOutAndWeights(Callback):
    """Records the held-out sequences and a copy of the weights after every epoch."""

    def initialize(self):
        self.weights_ = []
        return self

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        self.held_out_ = dataset_valid.X.numpy().copy()
        self.weights_.append(copy.deepcopy(net.module_.state_dict()))


def test_early_stopping_keeps_the_weights_of_the_best_epoch_not_the_last():
    """The kept weights are those of the epoch that scored best_validation_score_: on the
    held-out rows (drawn at random, found here by their values), predict's accuracy is
    that score, and the weights are that epoch's, although a later epoch scored less."""
    X, y = _sequences(n=120)
    model = GRUClassifier(
        **FAST,
        early_stopping=True,
        n_iter_no_change=3,
        standardize=False,  # the held-out sequences are then X's rows as given
        callbacks=[("record", _HeldOutAndWeights())],
    ).fit(X, y)
    record = dict(model.net_.callbacks_)["record"]
    scores = model.validation_scores_
    best = scores.index(model.best_validation_score_)  # the first epoch of that score
    assert scores[-1] < scores[best]  # the last epoch's weights would score less
    held_out = np.flatnonzero(np.isin(X[:, 0, 0].astype(np.float32), record.held_out_[:, 0, 0]))
    assert len(held_out) == 12  # a tenth of 120
    accuracy = np.mean(model.predict(X[held_out]) == y[held_out])
    assert accuracy == pytest.approx(model.best_validation_score_)
    kept = model.net_.module_.state_dict()
    for name, weights in record.weights_[best].items():
        torch.testing.assert_close(kept[name], weights, rtol=0, atol=0)


@pytest.mark.parametrize("Classifier", CLASSIFIERS)
def test_persistence_keeps_the_labels(Classifier, tmp_path):
    X, y = _sequences(n=40)
    y = np.array(["low", "mid", "high"])[y]
    model = Classifier(hidden_size=4, max_epochs=3, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    save_model(model, tmp_path / "m.pt")
    loaded = load_model(tmp_path / "m.pt")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    sio = pytest.importorskip("skops.io")
    data = sio.dumps(model)
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted == [f"sklearn_rnn._classifiers.{Classifier.__name__}"]
    np.testing.assert_array_equal(sio.loads(data, trusted=untrusted).predict(X), model.predict(X))


def _multilabel(n=90, seed=0):
    """Two labels a sequence may carry at once: a positive last step, a positive one before."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 6, 1)
    return X, np.c_[X[:, -1, 0] > 0, X[:, -2, 0] > 0].astype(int)


@pytest.mark.parametrize("Classifier", CLASSIFIERS)
def test_multilabel_indicator_y_as_mlp_classifier(Classifier, tmp_path):
    X, Y = _multilabel()
    # One direction: in FAST's 30 epochs, 8 units reading both ways fit these labels
    # more slowly (0.71-0.81 subset accuracy over seeds 0-3, one way 0.83-0.94); at the
    # defaults, both ways score 0.86-0.94 on fresh sequences.
    model = Classifier(**FAST, bidirectional=False).fit(X, Y)
    np.testing.assert_array_equal(model.classes_, [0, 1])
    predicted = model.predict(X)
    assert predicted.shape == Y.shape and predicted.dtype.kind == "i"
    assert model.score(X, Y) > 0.8  # subset accuracy: both labels right
    proba = model.predict_proba(X)
    assert proba.shape == Y.shape and ((proba > 0) & (proba < 1)).all()
    np.testing.assert_array_equal(proba > 0.5, predicted == 1)
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), proba, rtol=1e-6)
    save_model(model, tmp_path / "m.pt")
    np.testing.assert_array_equal(load_model(tmp_path / "m.pt").predict(X), predicted)


def test_multilabel_errors_and_partial_fit():
    X, Y = _multilabel(n=30)
    with pytest.raises(ValueError, match="class_weight is not supported with a multilabel"):
        GRUClassifier(max_epochs=1, class_weight="balanced").fit(X, Y)
    model = GRUClassifier(hidden_size=4)
    with pytest.raises(ValueError, match="classes must be passed.*label indices \\[0, 1\\]"):
        model.partial_fit(X, Y)
    model.partial_fit(X, Y, classes=[0, 1]).partial_fit(X, Y)
    assert model.n_iter_ == 2
    with pytest.raises(ValueError, match="fitted on a multilabel y"):
        model.partial_fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="y has 3 labels, but the fitted network predicts 2"):
        model.partial_fit(X, np.c_[Y, Y[:, :1]])


def test_warm_start_continues_and_keeps_the_classes():
    X, y = _sequences(n=60)
    model = LSTMClassifier(hidden_size=8, max_epochs=3, warm_start=True, random_state=0)
    model.fit(X, y).fit(X, y)
    assert model.n_iter_ == 6 and len(model.loss_curve_) == 6
    continuous = LSTMClassifier(hidden_size=8, max_epochs=6, random_state=0).fit(X, y)
    assert model.loss_curve_[:3] == continuous.loss_curve_[:3]
    with pytest.raises(ValueError, match="labels that are not among the classes"):
        model.fit(X, np.where(y == 2, 9, y))


def test_sklearn_callbacks_see_every_epoch_of_a_classifier_search():
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callbacks")
    from sklearn.model_selection import GridSearchCV

    from .test_training import TaskRecorder

    X, y = _sequences(n=40)
    recorder = TaskRecorder()
    search = GridSearchCV(GRUClassifier(max_epochs=2), {"hidden_size": [4, 8]}, cv=2)
    search.set_callbacks(recorder).fit(X, y)
    assert recorder.ended.count(("GRUClassifier", "epoch")) == 2 * (2 * 2 + 1)


def test_partial_fit_refuses_balanced_class_weight_as_sgd_classifier_does():
    """One call's y is part of the data, not the class frequencies: "balanced" would be
    recomputed a call at a time. Refused, with the way to do it, and nothing fitted."""
    X, y = _sequences()
    model = GRUClassifier(**FAST, class_weight="balanced")
    with pytest.raises(ValueError, match="'balanced' is not supported for partial_fit"):
        model.partial_fit(X, y, classes=np.unique(y))
    assert not hasattr(model, "classes_")
    weights = compute_class_weight("balanced", classes=np.unique(y), y=y)
    model.set_params(class_weight=dict(zip(np.unique(y), weights, strict=True)))
    model.partial_fit(X, y, classes=np.unique(y))
    assert model.n_iter_ == 1


def test_early_stopping_validates_on_a_stratified_shuffled_part_not_the_tail():
    """Sorted labels put one class in the tail (as one speaker fills the end of
    Japanese Vowels' training split). The held-out part is drawn at random and
    stratified, as MLPClassifier's: a network that does not learn (lr 1e-12) predicts
    one class everywhere and so scores that class's share of it, a half, not 0 or 1."""
    rng = np.random.RandomState(0)
    X = rng.randn(120, 5, 2)
    y = np.repeat(["a", "b"], 60)
    model = GRUClassifier(hidden_size=4, lr=1e-12, max_epochs=2, early_stopping=True)
    scores = [model.set_params(random_state=s).fit(X, y).validation_scores_ for s in (0, 1)]
    assert scores[0] == scores[1] == [0.5, 0.5]


def test_early_stopping_splits_unstratified_where_a_class_has_one_sample():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 4, 1)
    y = np.r_[np.zeros(29, int), 1]  # class 1 once: no stratified split can hold it
    model = GRUClassifier(hidden_size=4, max_epochs=2, early_stopping=True, random_state=0)
    assert len(model.fit(X, y).validation_scores_) == 2
