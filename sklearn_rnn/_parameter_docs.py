"""The texts of the parameters and notes that every family's docstring shares, each
written once: a family builds its docstrings from them (``_regressors.py``,
``_classifiers.py``), so that a parameter reads the same on every estimator's page."""

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
