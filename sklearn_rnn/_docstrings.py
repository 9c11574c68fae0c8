"""Every docstring text of the estimators, in one place: the parameters and notes both
families share, each written once, and each family's own parameters, fitted attributes
and examples. An estimator's page is built from them (``_regressors.py``,
``_classifiers.py``), so that a parameter reads the same on every page."""

READOUT_DOC = """\
    readout : {{"last", "mean", "max"}}, default="last"
        How the top layer's outputs summarise a sequence for the head: the output at
        its last valid step (a bidirectional network: the forward direction's there and
        the backward direction's at the first step), or their mean or maximum over the
        valid steps. Padding never enters any of them, so a sequence gets the same
        summary alone or in a ragged batch.
        {advice}
"""

# Parameter texts both families share, each written once (the families' own texts,
# and those with a family's advice, are in their modules; see also the *_DOC texts).
PARAMETER_DOCS = {
    "dropout": """\
    dropout : float, default=0.0
        Dropout probability on the output of every recurrent layer, the last one
        included, during training. A remedy for overfitting.
""",
    "optimizer": """\
    optimizer : {"adam", "adamw", "sgd"} or torch.optim.Optimizer subclass, \
default="adam"
        The optimizer, by name or as a class taking ``(params, lr=..., weight_decay=...)``.
""",
    "lr": """\
    lr : float, default=0.01
        Learning rate of the optimizer. Too high a rate makes training diverge.
""",
    "weight_decay": """\
    weight_decay : float, default=0.0
        L2 penalty (decoupled for "adamw"), a remedy for overfitting.
""",
    "batch_size": """\
    batch_size : int or "auto", default="auto"
        Samples per mini-batch. "auto" uses ``min(64, n_samples)``, so a small data
        set is trained full-batch.
""",
    "clip_grad_norm": """\
    clip_grad_norm : float or None, default=None
        If set, gradients are rescaled so that their total norm does not exceed it:
        the remedy for exploding gradients on long sequences.
""",
    "n_iter_no_change": """\
    n_iter_no_change : int, default={patience}
        Epochs without an improvement of at least ``tol`` before early stopping.{why}
""",
    "tol": """\
    tol : float, default=1e-4
        Smallest improvement of the validation {score} that counts, for early stopping.
""",
    "warm_start": """\
    warm_start : bool, default=False
        If True, ``fit`` on a fitted estimator continues training its network (weights
        and optimizer state) for ``max_epochs`` more epochs, instead of starting anew.
        A continued fit (and ``partial_fit``) keeps the scaling statistics of the first.
""",
    "device": """\
    device : str or torch.device, default="cpu"
        Where the network trains and predicts: "cpu", "cuda", "cuda:<index>" or
        "auto" (CUDA where available). A fitted model unpickles and predicts on a
        machine without a GPU.
""",
    "verbose": """\
    verbose : int, default=0
        0 prints nothing; 1 shows a progress bar over epochs with the latest losses;
        2 or more prints skorch's table of losses per epoch.
""",
    "hidden_size": """\
    hidden_size : int, default=32
        Number of features in the hidden state. More units fit more complex dynamics
        and cost time in proportion to their square.
""",
    "callbacks": """\
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Added to the callbacks the estimator sets up itself (for example
        ``skorch.callbacks.LRScheduler`` or ``Checkpoint``). They are copied at each
        fit; the trained copies are in ``net_.callbacks_`` until the estimator is
        stored. A pickle or skops file keeps this parameter, not the trained copies
        (the fitted state is plain data): a restored model's ``net_.callbacks_`` holds
        the estimator's own callbacks only, and its next fit copies these again.
        ``save_model`` refuses callbacks given as objects.
""",
    "random_state": """\
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the shuffling of mini-batches and dropout.
        Pass an int for identical results across calls. None draws the seeds from
        numpy's global generator, as scikit-learn's estimators do (so
        ``np.random.seed`` before ``fit`` makes it repeatable); torch's global
        generator is left as it was.
""",
    "num_layers": """\
    num_layers : int, default=1
        Number of stacked recurrent layers.
""",
}


# The parameters that close both families' lists, in that order.
CLOSING_PARAMETERS = (
    "n_iter_no_change",
    "tol",
    "warm_start",
    "callbacks",
    "random_state",
    "device",
    "verbose",
)


def parameter_docs(*names, score=None, patience=10, why=""):
    """The shared texts of ``names``, in that order, a blank line between them;
    ``score`` names the validation score in ``tol``'s text, ``patience`` the family's
    default ``n_iter_no_change`` and ``why`` the reason for it."""
    texts = [PARAMETER_DOCS[name] for name in names]
    fields = {"{score}": score or "score", "{patience}": str(patience), "{why}": why}
    out = []
    for text in texts:
        for field, value in fields.items():
            text = text.replace(field, value)
        out.append(text)
    return "\n".join(out)


NOTES_DOC = """\
    Inputs of every form are converted to one padded float32 tensor plus sequence
    lengths. Sequences shorter than the longest (a list of different lengths, or 3-D
    rows that begin with all-NaN time steps) are read at their own last real step, so
    padding never reaches a prediction: a unidirectional network reads each sequence's
    output there (batches of similar lengths, no packing); a bidirectional one runs its
    backward direction over each sequence reversed within its own length (on a GPU it
    packs them, which cuDNN runs fast).

    A sample that occurs several times in the training set is merged into one sample
    whose weight is its count, and samples are put in a canonical order before
    training. Whole-number weights are counts: each epoch draws its mini-batches from
    an index that repeats each sample as often as its count, so fitting on repeated
    samples and fitting with the equivalent integer ``sample_weight`` give identical
    models, with as many optimizer steps as rows. Other weights are relative (a
    weighted mean of the losses; scaling them all changes nothing). Without early
    stopping, the order of the training samples does not change the result; with it,
    {held_out}.

    Predictions are computed in batches padded with zero sequences to a multiple of 8
    rows (the smallest products use other kernels, which round differently), so a
    sample's prediction does not depend on the other samples passed with it.
"""

PATCH_SIZE_DOC = """
    patch_size : int or "auto", default="auto"
        Consecutive time steps joined into one step of the network: a sequence of
        ``n`` steps is read as ``ceil(n / patch_size)`` patches of ``patch_size *
        n_features`` values, the last patch ending at its last step (the first one
        completed with zeros before its start: the training mean when standardised).
        A long sequence is then a short one, which a recurrent network learns far
        better: on the quality benchmark's sequences of 150 to 427 steps, accuracy
        went from chance level to that of 1-NN DTW. "auto" chooses, at the first fit,
        the smallest size that makes the longest training sequence at most 16
        patches (1 for up to 16 steps, so forecasting windows of up to 16 lags are
        read step by step); ``patch_size_`` holds the size used, which a warm start
        or ``partial_fit`` keeps. The linear path reads the steps themselves.
"""

COLUMN_ORDER_DOC = """\
    column_order : {"oldest_first", "newest_first"}, default="oldest_first"
        The time order of the columns of a 2-D ``X`` (each column one time step). The
        network reads sequences oldest first; "newest_first" reverses the columns
        first, for lag matrices built newest first, as skforecast's
        ``ForecasterRecursive`` and sktime's reductions pass them. Ignored for 3-D and
        list input, whose time axis is explicit.
"""


# The parameters that open both families' lists.
LEADING_PARAMETERS = parameter_docs("hidden_size", "num_layers") + "\n"


def estimator_doc(*, summary, cell_note, about, parameters, attributes, family, held_out, example):
    """An estimator's docstring: its ``summary`` and ``cell_note``, what the family is
    (``about``), its ``parameters`` and ``attributes`` texts, the estimators of its
    ``family`` ("regressor" or "classifier") to see also, the notes (``held_out``: how
    early stopping's samples are held out) and the ``example``."""
    name = family.capitalize()
    return f"""{summary}

    {cell_note}

    {about}

    Parameters
    ----------
{parameters}
    Attributes
    ----------
{attributes}
    See Also
    --------
    RNN{name} : Plain (Elman) recurrent network {family}.
    LSTM{name} : Long short-term memory {family}.
    GRU{name} : Gated recurrent unit {family}.

    Notes
    -----
{NOTES_DOC.format(held_out=held_out)}
    Examples
    --------
{example}"""


NONLINEARITY_DOC = """\
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation of the cell.

"""

RNN_REGRESSOR_NONLINEARITY_DOC = """\
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation of the cell. "relu" can learn longer dependencies but may diverge
        without a small learning rate.

"""


# -- the regressors -----------------------------------------------------------------------

_REGRESSOR_PARAMETERS = (
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

# The fitted sizes both families' pages describe alike.
_SIZE_ATTRIBUTES = """\
    patch_size_ : int
        The number of time steps in a patch (``patch_size``, "auto" resolved).

    linear_window_ : int
        The number of steps the linear path reads (``linear_window``, "auto"
        resolved).
"""

_REGRESSOR_ATTRIBUTES = (
    """\
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

"""
    + _SIZE_ATTRIBUTES
    + """\

    n_features_in_ : int
        Number of time steps of a 2-D ``X``, or number of features per time step of a
        3-D or list ``X`` seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns of a 2-D ``X`` given as a DataFrame with string column
        names. Defined only then.
"""
)


def regressor_doc(summary, cell_note, example, extra_parameters=LEADING_PARAMETERS):
    return estimator_doc(
        summary=summary,
        cell_note=cell_note,
        about="The training loop is skorch's (``net_`` after fitting); the estimator "
        "validates\n    its input, stores its parameters untouched and follows "
        "scikit-learn's conventions,\n    so it works in pipelines, grid searches and "
        "cross-validation.",
        parameters=extra_parameters + _REGRESSOR_PARAMETERS,
        attributes=_REGRESSOR_ATTRIBUTES,
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


# -- the classifiers ----------------------------------------------------------------------

_CLASSIFIER_PARAMETERS = (
    """\
    bidirectional : bool, default=True
        If True, each layer also reads the sequence backwards and the head sees both
        directions' final states. A classified sequence is known whole, and reading
        it both ways was better on every data set of the quality benchmark (docs:
        How the defaults were chosen), at about twice the cost.

"""
    + parameter_docs("dropout")
    + "\n"
    + READOUT_DOC.format(
        advice='In the quality benchmark "mean" helped on some data\n        '
        "sets and hurt on others (docs: How the defaults were chosen); tune it."
    )
    + PATCH_SIZE_DOC
    + """
    linear_window : int or "auto", default=0
        If positive, the last ``linear_window`` observed time steps also go through one
        linear map straight to the class scores, added to the recurrent head ("auto":
        every step of the longest training sequence). Off by default for classifiers.

    standardize : bool, default=True
        Standardise each input feature (mean and standard deviation over the observed
        time steps of the training set) inside the estimator.

"""
    + COLUMN_ORDER_DOC
    + """
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in ``LogisticRegression``: a dict
        ``{label: weight}``, "balanced" (inversely proportional to the class
        frequencies in ``fit``'s ``y``; refused by ``partial_fit``, which sees part of
        the data a call), or None (all 1). Multiplied with ``sample_weight``.

"""
    + parameter_docs("optimizer", "lr", "weight_decay")
    + """
    max_epochs : int, default=200
        Number of passes over the training data (the most, with early stopping). A
        small training set gets one optimizer step an epoch; 200 rather than 100
        epochs lifted the benchmark's smallest set (36 sequences) by 6 points.

"""
    + parameter_docs("batch_size", "clip_grad_norm")
    + """
    early_stopping : bool or "auto", default=False
        Hold out ``validation_fraction`` of the samples, drawn at random (seeded by
        ``random_state``) and stratified by class as ``MLPClassifier`` does, and stop
        when their accuracy has not improved by ``tol`` for ``n_iter_no_change``
        epochs; the weights of the best epoch (or those training started from, when no
        epoch beats them) are restored. "auto" stops early when the held-out part has
        at least 5 samples, as the regressors do by default.

    validation_fraction : float, default=0.1
        Fraction of the samples held out for early stopping (stratified; unstratified
        where a class has a single sample or the fraction holds fewer samples than
        there are classes).

"""
    + parameter_docs(*CLOSING_PARAMETERS, score="accuracy")
)

_CLASSIFIER_ATTRIBUTES = (
    """\
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.

    net_ : skorch.NeuralNetRegressor
        The trained skorch net; its ``module_`` is the PyTorch network.

    history_ : skorch.History
        skorch's record of the training, one entry per epoch.

    n_iter_ : int
        Number of epochs trained.

    loss_curve_ : list of float
        Training loss (cross-entropy) of each epoch.

    best_loss_ : float or None
        Smallest training loss reached; None with early stopping.

    validation_scores_ : list of float or None
        Accuracy on the held-out samples at each epoch with early stopping; else None.

    best_validation_score_ : float or None
        Best validation accuracy, whose weights were restored; None without early
        stopping.

    representation_ : Representation
        How the network sees the data, fitted from the training data (for a
        classifier, the standardisation of its inputs); plain data, which every stored
        form keeps and ``to_onnx`` lowers.

    input_mean_, input_scale_ : ndarray of shape (n_step_features,) or None
        Mean and standard deviation of each feature over the observed time steps of
        the training set (``representation_``'s fields); None with
        ``standardize=False``.

"""
    + _SIZE_ATTRIBUTES
    + """\

    n_features_in_ : int
        Number of time steps of a 2-D ``X``, or features per time step of a 3-D or
        list ``X``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns of a 2-D ``X`` given as a DataFrame. Defined only then.
"""
)


def classifier_doc(summary, cell_note, name, extra_parameters=LEADING_PARAMETERS):
    regressor = name.replace("Classifier", "Regressor")
    return estimator_doc(
        summary=summary,
        cell_note=cell_note,
        about=f"The classifier counterpart of ``{regressor}``: the\n    same inputs (2-D, "
        "3-D, ragged lists, NaN-led rows, DataFrames), training controls\n    and "
        "persistence, with a softmax over the classes and the cross-entropy loss.",
        parameters=extra_parameters + _CLASSIFIER_PARAMETERS,
        attributes=_CLASSIFIER_ATTRIBUTES,
        family="classifier",
        held_out="which samples are held out depends on their order",
        example=f"""\
    >>> import numpy as np
    >>> from sklearn_rnn import {name}
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(60, 8, 1)
    >>> y = np.where(X[:, -1, 0] > 0, "up", "down")
    >>> model = {name}(hidden_size=8, random_state=0).fit(X, y)
    >>> model.classes_
    array(['down', 'up'], dtype='<U4')
    >>> bool(model.score(X, y) > 0.9)
    True
""",
    )
