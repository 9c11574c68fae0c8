"""Displays in scikit-learn's style; matplotlib is imported only when one is drawn."""

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

__all__ = ["LossCurveDisplay"]

# The fraction of the height of the axes above the highest point of the curves.
LEGEND_HEADROOM = 0.25


class LossCurveDisplay:
    """Training loss and validation score per epoch of a fitted recurrent estimator.

    Create it with :meth:`from_estimator`; the constructor takes the numbers to draw.
    Needs matplotlib (``pip install "sklearn-rnn[plot]"``).

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss of each epoch.

    validation_scores : array-like of shape (n_epochs,) or None, default=None
        Validation score of each epoch (NaN for an epoch trained without early
        stopping), drawn on a second y-axis.

    best_epoch : int or None, default=None
        The epoch (counted from 1) whose weights early stopping restored, marked with
        a line; None when the model keeps its last epoch.

    estimator_name : str or None, default=None
        Name used in the title.

    score_name : str, default="R²"
        What the validation score is, in the axis label and legend: "R²" for the
        regressors, "accuracy" for the classifiers (``from_estimator`` chooses).

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes of the training loss.

    ax_score_ : matplotlib Axes or None
        The twin axes of the validation score, when there is one.

    figure_ : matplotlib Figure
        The figure of the plot.

    lines_ : dict of matplotlib Line2D
        ``"loss"``, and ``"validation_score"`` and ``"best_epoch"`` when drawn.

    See Also
    --------
    LSTMRegressor : Its ``loss_curve_`` and ``validation_scores_`` are what is drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_rnn import GRURegressor, LossCurveDisplay
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(100, 5, 1)
    >>> y = X[:, -1, 0]
    >>> model = GRURegressor(max_epochs=20, early_stopping=True, random_state=0)
    >>> display = LossCurveDisplay.from_estimator(model.fit(X, y))
    >>> display.lines_["best_epoch"].get_xdata()[0] == display.best_epoch
    True
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_scores=None,
        best_epoch=None,
        estimator_name=None,
        score_name="R²",
    ):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name
        self.score_name = score_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, **kwargs):
        """Draw the loss curve of a fitted estimator.

        Parameters
        ----------
        estimator : fitted RNNRegressor, LSTMRegressor, GRURegressor, \
                RNNClassifier, LSTMClassifier or GRUClassifier
            The estimator whose ``loss_curve_`` (and ``validation_scores_``) to draw.

        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        **kwargs : dict
            Passed to matplotlib's ``plot`` for the loss curve.

        Returns
        -------
        display : LossCurveDisplay
            The display, with its drawn ``figure_`` and ``ax_``.
        """
        check_is_fitted(estimator, "loss_curve_")
        scores = estimator.validation_scores_
        best_epoch = None  # without early stopping the model keeps its last epoch
        if estimator.best_validation_score_ is not None:
            # The epoch early stopping kept, as its history records it: the first of
            # equal scores, or the weights it started from (epoch 0 of a new network).
            history = estimator.history_
            best_epoch = history[-1].get("best_epoch") if len(history) else None
            if best_epoch is None:  # a model stored without its history: the first best
                scores_array = np.asarray(scores)
                matches = np.flatnonzero(scores_array == estimator.best_validation_score_)
                best_epoch = int(matches[0]) + 1 if len(matches) else 0
        display = cls(
            loss_curve=estimator.loss_curve_,
            validation_scores=scores,
            best_epoch=best_epoch,
            estimator_name=type(estimator).__name__,
            score_name=(
                "accuracy"
                if is_classifier(estimator)
                else "D² pinball score"
                if getattr(estimator, "loss", None) == "quantile"
                else "R²"
            ),
        )
        return display.plot(ax=ax, **kwargs)

    def plot(self, *, ax=None, **kwargs):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        **kwargs : dict
            Passed to matplotlib's ``plot`` for the loss curve.

        Returns
        -------
        display : LossCurveDisplay
            This display, with ``figure_``, ``ax_``, ``ax_score_`` and ``lines_``.
        """
        import matplotlib.pyplot as plt

        if ax is None:  # constrained: the twin axis' label stays inside the figure
            _, ax = plt.subplots(layout="constrained")
        epochs = np.arange(1, len(self.loss_curve) + 1)
        self.lines_ = {}
        (self.lines_["loss"],) = ax.plot(
            epochs, self.loss_curve, **{"label": "training loss", "color": "C0", **kwargs}
        )
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss")
        handles = [self.lines_["loss"]]
        self.ax_score_ = None
        if self.validation_scores is not None:
            self.ax_score_ = ax.twinx()
            (self.lines_["validation_score"],) = self.ax_score_.plot(
                epochs, self.validation_scores, color="C1", label=f"validation {self.score_name}"
            )
            self.ax_score_.set_ylabel(f"validation {self.score_name}")
            handles.append(self.lines_["validation_score"])
        if self.best_epoch is not None:
            self.lines_["best_epoch"] = ax.axvline(
                self.best_epoch, color="grey", linestyle=":", label=f"kept: epoch {self.best_epoch}"
            )
            handles.append(self.lines_["best_epoch"])
        # The legend sits in a band above the curves, which it would otherwise cover.
        for axis in (ax, self.ax_score_):
            if axis is not None:
                _leave_headroom(axis, LEGEND_HEADROOM)
        ax.legend(handles=handles, loc="upper center", ncols=2, fontsize="small")
        if self.estimator_name:
            ax.set_title(self.estimator_name)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


def _leave_headroom(ax, fraction):
    """Raise the top of ``ax`` so that its curves keep below ``1 - fraction``."""
    bottom, top = ax.get_ylim()
    ax.set_ylim(bottom, bottom + (top - bottom) / (1 - fraction))
