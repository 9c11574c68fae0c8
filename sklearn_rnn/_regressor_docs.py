"""The regressors' docstrings: their parameters' texts (with those every family shares,
from ``_parameter_docs``), their fitted attributes, notes and examples; each regressor's
page is built from them (``_regressors.py``)."""

from ._parameter_docs import (
    CLOSING_PARAMETERS,
    COLUMN_ORDER_DOC,
    LEADING_PARAMETERS,
    PATCH_SIZE_DOC,
    READOUT_DOC,
    estimator_doc,
    parameter_docs,
)

_SHARED_PARAMETERS = (
    """\
    bidirectional : bool, default=False
        If True, each layer also reads the sequence backwards and the head sees both
        directions' final states. Only useful when the whole sequence is known at
        prediction time.

"""
    + parameter_docs("dropout")
    + "\n"
    + READOUT_DOC.format(
        advice="The last step, the default, is the natural summary of a\n        "
        "forecasting window; pooling was not benchmarked for regression."
    )
    + PATCH_SIZE_DOC
    + """
    linear_window : int or "auto", default="auto"
        The last ``linear_window`` observed time steps of each sequence also go through
        one linear map straight to the output, added to the recurrent head (the
        "highway" of LSTNet, Lai et al. 2018). "auto" reads every step of the longest
        training sequence (the whole window of a model of windows, so that a searched
        window moves it; ``linear_window_``). A new network starts from ridge
        regression on those steps (``RidgeCV``: the penalty chosen by leave-one-out
        error) with the recurrent head at zero, so it starts where a linear model on
        the same window ends and the recurrent part learns what a linear model cannot;
        both are then trained, and early stopping keeps the start when training does
        not improve on it. Steps before a sequence's start (ragged or NaN-led input)
        count as zeros. 0 turns the path off.

    relative_to : {"auto", "last"} or None, default="auto"
        How each target is learned: as its change from the last observed value of the
        input feature it continues (the feature whose last value forecasts it best on
        the training data), or as a level. A change makes an output of zero the
        last-value forecast, shrinks the ridge start towards it rather than towards the
        mean, and keeps a trend from taking targets beyond their training range; a
        level suits a property of the whole sequence (fat content from a spectrum, a
        sum, a rate from a curve), where no last value forecasts the target. "auto"
        chooses per output from the training data: the change unless a linear model
        of the level has less than a tenth of the leave-one-out error of a linear model
        of the change (see the forecasting guide); on fewer than 10 distinct samples
        (a first ``partial_fit`` batch among them), which are too few to compare, it
        learns the change, and a continued fit keeps what the first chose. "last"
        learns every output as a change, None every one as a level. A relative
        output's network reads each step relative to the sequence's last step (what the
        linear path reads) beside the step itself (the level, for the recurrent part).
        The choice is ``representation_``.

    window_scale : {"changes"} or None, default=None
        With "changes", each window's steps relative to its last one, and its target's
        change, are divided by the window's own scale: the mean absolute change between
        its consecutive observed steps, at least 1% of the mean absolute value of its
        steps (1 where both are zero), and ``predict`` multiplies it back; every output
        is then learned as a change. Series of any
        magnitude (0.1 to a million) then train together as one set, the network reading
        the scaled changes alone: one model for many series (see the guide's "One model,
        many series"). Early stopping then scores the scaled changes, so that every
        window weighs alike. Needs ``relative_to`` "auto" or "last". None: one scale for
        all, the training set's (``standardize``).

    standardize : bool, default=True
        Standardise each input feature (mean and standard deviation over the observed
        time steps of the training set, padding left out, weighted by
        ``sample_weight``) and each target inside the estimator, and undo the target's
        scaling in ``predict``. Networks train well only on inputs and targets of unit
        scale, and scikit-learn's scalers cannot see 3-D or ragged input, nor do
        forecasting libraries scale the lags they pass. Set it to False only for data
        that is already standardised. A constant feature or target gets a scale of 1.

"""
    + COLUMN_ORDER_DOC
    + """
    loss : {"squared_error", "absolute_error", "huber", "quantile"}, \
default="squared_error"
        The loss to minimise. "huber" is squared below 1 and absolute above (PyTorch's
        ``HuberLoss`` with ``delta=1``, on the standardised scale of ``y``), less
        sensitive to outliers than the squared error. "quantile" is the pinball loss
        of ``quantile``: the model predicts that quantile of ``y`` (two such models
        give a prediction interval). ``sample_weight`` weights each.

    quantile : float or None, default=None
        The quantile to predict with ``loss="quantile"``, strictly between 0 and 1
        (0.05 and 0.95 bound a 90% interval). Required with that loss, ignored by
        the others.

"""
    + parameter_docs("optimizer")
    + """
    lr : float, default=0.001
        Learning rate of the optimizer. Too high a rate makes training diverge. From
        the ridge start, a small rate keeps training near it unless the data show
        better (the quality benchmark's choice; 0.01 was worse there).

"""
    + parameter_docs("weight_decay")
    + """
    max_epochs : int, default=100
        Number of passes over the training data (the most, with early stopping).

"""
    + parameter_docs("batch_size", "clip_grad_norm")
    + """
    early_stopping : bool or "auto", default="auto"
        Hold out the last ``validation_fraction`` of the samples, in the order given,
        and stop when their R² (with ``loss="quantile"``, scikit-learn's
        ``d2_pinball_score`` of that quantile; with ``"absolute_error"`` and
        ``"huber"``, its ``d2_absolute_error_score``) has not improved by ``tol`` for
        ``n_iter_no_change`` epochs; the weights of the best epoch are restored. The
        weights training starts from compete too: a new network's ridge start (see
        ``linear_window``) is kept when no epoch beats it on the held-out samples. The
        tail is held out,
        not a random subset, so that a model of a time series is validated on its
        future and overlapping windows do not leak. "auto" stops early when the tail
        holds at least 5 samples (from 41 samples at the default
        ``validation_fraction``): the quality benchmark's largest gain over fixed
        epochs. Not used by ``partial_fit``.

    validation_fraction : float, default=0.1
        Fraction of the samples (the last ones) held out for early stopping.

"""
    + parameter_docs(
        *CLOSING_PARAMETERS,
        score="R²",
        patience=20,
        why=(
            "\n        A new network starts from the ridge start, and its recurrent part"
            " needs\n        time to beat it: 20 epochs (10 before) took the maximum of"
            " a sequence from\n        R² 0.32 to 0.90 at no cost on the forecasting"
            ' suite ("How the defaults\n        were chosen").'
        ),
    )
)

_ATTRIBUTES = """\
    net_ : skorch.NeuralNetRegressor
        The trained skorch net; its ``module_`` is the PyTorch network.

    history_ : skorch.History
        skorch's record of the training, one entry per epoch.

    n_iter_ : int
        Number of epochs trained, over all warm starts and ``partial_fit`` calls.

    loss_curve_ : list of float
        Training loss (the chosen ``loss``) of each epoch, on the standardised scale
        of ``y`` when ``standardize=True``.

    best_loss_ : float or None
        Smallest training loss reached; None with early stopping.

    validation_scores_ : list of float or None
        R² of the predictions of the held-out tail at each epoch with early stopping
        (the D² pinball score with ``loss="quantile"``, the D² absolute error score
        with ``"absolute_error"`` and ``"huber"``); else None.

    best_validation_score_ : float or None
        Best validation score, whose weights were restored; None without early
        stopping.

    n_outputs_ : int
        Number of targets.

    representation_ : Representation
        How the network sees the data, fitted from the training data: each output
        learned as a change from the last value of a feature or as a level, what the
        network and its linear path read, and the standardisation of both; plain data,
        which every stored form keeps and ``to_onnx`` lowers.
        ``representation_.describe(n_outputs_)`` says it in words. The attributes
        below are its fields.

    input_mean_ : ndarray of shape (n_step_features,) or (2 * n_step_features,) or None
        Mean of each feature the network reads over the observed time steps of the
        training set (one feature for 2-D input, whose columns are time steps of one
        feature): where an output is relative, the features relative to the last step
        first, then the features themselves; None with ``standardize=False``.

    input_scale_ : ndarray of shape (n_step_features,) or (2 * n_step_features,) or None
        Standard deviation of each feature likewise (1 where it is zero).

    relative_features_ : ndarray of shape (n_outputs,) or None
        For each output, the input feature whose last value it is learned relative to,
        or -1 for an output learned as a level; None when every output is a level.

    target_mean_ : ndarray of shape (n_outputs,) or None
        Mean of each target in the training set (of its change from the last value,
        for a relative output); None with ``standardize=False``.

    target_scale_ : ndarray of shape (n_outputs,) or None
        Standard deviation of each target (1 where it is zero).

    patch_size_ : int
        The number of time steps in a patch (``patch_size``, "auto" resolved).

    linear_window_ : int
        The number of steps the linear path reads (``linear_window``, "auto"
        resolved).

    n_features_in_ : int
        Number of time steps of a 2-D ``X``, or number of features per time step of a
        3-D or list ``X`` seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns of a 2-D ``X`` given as a DataFrame with string column
        names. Defined only then.
"""


def regressor_doc(summary, cell_note, example, extra_parameters=LEADING_PARAMETERS):
    return estimator_doc(
        summary=summary,
        cell_note=cell_note,
        about="The training loop is skorch's (``net_`` after fitting); the estimator "
        "validates\n    its input, stores its parameters untouched and follows "
        "scikit-learn's conventions,\n    so it works in pipelines, grid searches and "
        "cross-validation.",
        parameters=extra_parameters + _SHARED_PARAMETERS,
        attributes=_ATTRIBUTES,
        family="regressor",
        held_out="the held-out part is the last samples in the order given",
        example=example,
    )


def regressor_example(name):
    return f"""    >>> import numpy as np
    >>> from sklearn_rnn import {name}
    >>> X = np.array([[0.1, 0.2, 0.3, 0.4, 0.5],
    ...               [0.2, 0.3, 0.4, 0.5, 0.6],
    ...               [0.3, 0.4, 0.5, 0.6, 0.7],
    ...               [0.4, 0.5, 0.6, 0.7, 0.8]])
    >>> y = np.array([0.6, 0.7, 0.8, 0.9])
    >>> model = {name}(hidden_size=10, lr=0.01, max_epochs=100, random_state=0)
    >>> model.fit(X, y)
    {name}(hidden_size=10, lr=0.01, random_state=0)
    >>> next_value = model.predict([[0.5, 0.6, 0.7, 0.8, 0.9]])
    >>> bool(0.75 < next_value[0] < 1.05)
    True
"""
