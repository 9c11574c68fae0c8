"""The skorch callbacks that the estimators add to every net they train."""

import copy
import math
import re
import sys

import torch
from skorch.callbacks import Callback, EarlyStopping, PrintLog

__all__ = [
    "DivergenceCheck",
    "EarlyStoppingFromStart",
    "EpochProgressBar",
    "InterruptGuard",
    "TerminalPrintLog",
    "SklearnCallbackBridge",
    "ValidationScore",
]


class InterruptGuard(Callback):
    """Undo a half-finished epoch when training is interrupted (KeyboardInterrupt).

    skorch ends training quietly on a KeyboardInterrupt, with the weights of the last
    batch. This callback keeps a copy of the weights after each finished epoch; when an
    epoch does not finish, it restores them and drops the epoch from the history, and
    ``interrupted_`` names that epoch (0 when training was not interrupted). When no
    epoch of this run finished, there is nothing to keep: the KeyboardInterrupt is
    raised again, and the caller discards the net. The planned stops of early stopping
    and of scikit-learn callbacks come after an epoch finished. It must be the first
    callback, so that its ``on_epoch_end`` and ``on_train_end`` run before theirs.
    """

    def on_train_begin(self, net, **kwargs):
        self.interrupted_ = 0
        self.running_ = False
        self.n_epochs_before_ = len(net.history)
        # Copies of the weights, refreshed in place after each epoch (cheap even for
        # many short epochs).
        self.live_ = [t.detach() for t in net.module_.state_dict(keep_vars=True).values()]
        self.saved_ = [t.clone() for t in self.live_]

    def on_epoch_begin(self, net, **kwargs):
        self.running_ = True

    def on_epoch_end(self, net, **kwargs):
        self.running_ = False
        for saved, live in zip(self.saved_, self.live_, strict=True):
            saved.copy_(live)

    def on_train_end(self, net, **kwargs):
        if self.running_:
            self.interrupted_ = len(net.history)
            with torch.no_grad():
                for saved, live in zip(self.saved_, self.live_, strict=True):
                    live.copy_(saved)
            del net.history[-1]
        self.live_ = self.saved_ = None
        if self.interrupted_ and len(net.history) == self.n_epochs_before_:
            raise KeyboardInterrupt(
                f"Training was interrupted during epoch {self.interrupted_}, the first "
                "of this fit: nothing was trained, and the estimator is left as it was."
            )


class ValidationScore(Callback):
    """Record the score of each epoch's validation predictions as ``valid_score``.

    ``score(y_true, y_pred, sample_weight)`` is the estimator family's score (R² for
    the regressors), on the network's outputs. The predictions are those skorch makes
    anyway to compute the validation loss, so scoring costs no extra forward pass.
    """

    def __init__(self, score):
        self.score = score

    def on_epoch_begin(self, net, **kwargs):
        self.y_pred_ = []

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if not training and y_pred is not None:
            self.y_pred_.append(y_pred.detach())

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        if dataset_valid is None or not self.y_pred_:
            return
        y_pred = torch.cat(self.y_pred_).cpu().numpy()
        y_true = dataset_valid.y.cpu().numpy()
        weight = dataset_valid.sample_weight
        weight = None if weight is None else weight.cpu().numpy()
        net.history.record("valid_score", float(self.score(y_true, y_pred, sample_weight=weight)))
        self.y_pred_ = []


class EarlyStoppingFromStart(EarlyStopping):
    """skorch's ``EarlyStopping``, where the weights training starts from compete too.

    ``start_score``, set before training, is their validation score: an epoch must beat
    it by the threshold to count as an improvement, and when none does, they are the
    weights restored at the end (``best_epoch_`` is then the number of epochs trained
    before this run: 0 for a new network). A network that starts from a fitted linear
    model (the regressors' ridge start) thus never ends worse on validation than it.
    The last epoch's history row records ``best_epoch``, the epoch whose weights are
    kept (a tie is no improvement: the first of equal scores).
    """

    start_score = None

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        self.start_epoch_ = len(net.history)
        if self.start_score is not None:
            self.dynamic_threshold_ = self._calc_new_threshold(self.start_score)
            self.best_epoch_ = self.start_epoch_
            if self.load_best:
                self.best_model_weights_ = copy.deepcopy(net.module_.state_dict())

    def on_train_end(self, net, **kwargs):
        super().on_train_end(net, **kwargs)
        if len(net.history) > self.start_epoch_:
            # The epoch whose weights the net holds, for whoever reads the history.
            net.history.record("best_epoch", self.best_epoch_)


class DivergenceCheck(Callback):
    """Stop training with a clear error when it diverges.

    As soon as a training loss is NaN or infinite; and, after training
    (:meth:`check_final`), when the last optimizer step made the weights, the
    optimizer's state or the loss of the last batch NaN or infinite, which no batch
    loss shows.
    """

    def on_train_begin(self, net, **kwargs):
        self.last_batch_ = None

    def on_batch_end(self, net, batch=None, training=False, loss=None, **kwargs):
        # skorch has already read the loss with .item(): a float check costs nothing.
        if training and loss is not None and not math.isfinite(value := loss.item()):
            self.last_batch_ = None
            self._raise(net, f"the training loss became {value}")
        if training:
            self.last_batch_ = batch

    @torch.no_grad()
    def check_final(self, net):
        """Check the weights, the optimizer's state and the last batch's loss now."""
        batch, self.last_batch_ = self.last_batch_, None
        if not all(torch.isfinite(p).all() for p in net.module_.parameters()):
            self._raise(net, "the weights became NaN or infinite in the last optimizer step")
        state = net.optimizer_.state.values()
        tensors = [t for s in state for t in s.values() if isinstance(t, torch.Tensor)]
        if not all(torch.isfinite(t).all() for t in tensors if t.is_floating_point()):
            self._raise(
                net,
                "the optimizer's state (such as Adam's running averages) overflowed, "
                "so the weights stopped changing",
            )
        if batch is not None:
            training = net.module_.training
            net.module_.train(False)
            try:
                inputs, y = batch
                loss = net.get_loss(net.infer(inputs), y, X=inputs).item()
            finally:
                net.module_.train(training)
            if not math.isfinite(loss):
                self._raise(net, f"the loss on the last batch became {loss} after training")

    @staticmethod
    def _raise(net, what):
        epoch = len(net.history)
        decay = net.optimizer_.param_groups[0].get("weight_decay")
        decay = "" if not decay else f" or weight_decay (now {decay})"
        raise FloatingPointError(
            f"Training diverged: {what} (epoch {epoch}). Lower the learning rate "
            f"(lr={net.lr}){decay}, or set clip_grad_norm (for example 1.0) to clip "
            "exploding gradients."
        )


class EpochProgressBar(Callback):
    """A progress bar over epochs (tqdm, on stderr) showing the latest losses.

    The bar keeps ``BAR_WIDTH`` characters whatever the width of the terminal, and the
    losses are shown under short names, so that the postfix never squeezes the bar.
    """

    BAR_WIDTH = 20
    SHOWN = {"train_loss": "loss", "valid_loss": "val_loss", "valid_score": "val_score"}

    def __init__(self, desc=None):
        self.desc = desc

    def on_train_begin(self, net, **kwargs):
        from tqdm.auto import tqdm  # a dependency of skorch

        self.bar_ = tqdm(
            total=net.max_epochs,
            desc=self.desc,
            unit="epoch",
            file=sys.stderr,
            bar_format="{l_bar}{bar:" + str(self.BAR_WIDTH) + "}{r_bar}",
        )

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        shown = {name: row[key] for key, name in self.SHOWN.items() if key in row}
        self.bar_.set_postfix({k: f"{v:.4g}" for k, v in shown.items()}, refresh=False)
        self.bar_.update(1)

    def on_train_end(self, net, **kwargs):
        self.bar_.close()


class SklearnCallbackBridge(Callback):
    """Report each epoch to scikit-learn's callbacks (``sklearn.callback``, >= 1.9).

    Each epoch is a subtask of the estimator's fit task; a callback that asks to stop
    ends training after the epoch, as skorch's own early stopping does.
    """

    def __init__(self, context, estimator, X, y):
        self.context = context
        self.estimator = estimator
        self.X = X
        self.y = y

    def on_epoch_begin(self, net, **kwargs):
        self.subcontext_ = self.context.subcontext(task_name="epoch")
        self.subcontext_.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y)

    def on_epoch_end(self, net, **kwargs):
        stop = self.subcontext_.call_on_fit_task_end(estimator=self.estimator, X=self.X, y=self.y)
        if stop:
            raise KeyboardInterrupt  # skorch's way to end training cleanly

    def on_train_end(self, net, **kwargs):
        # Drop the references to the data and the estimator: the fitted net is pickled.
        self.context = self.estimator = self.X = self.y = self.subcontext_ = None


_ANSI_CODE = re.compile("\x1b\\[[0-9;]*m")


class TerminalPrintLog(PrintLog):
    """skorch's table of losses per epoch, coloured only when stdout is a terminal.

    skorch colours the best values with ANSI codes, which litter files and pipes.
    """

    def format_row(self, row, key, color):
        formatted = super().format_row(row, key, color)
        on_terminal = getattr(sys.stdout, "isatty", lambda: False)()
        if isinstance(formatted, str) and not on_terminal:
            formatted = _ANSI_CODE.sub("", formatted)
        return formatted
