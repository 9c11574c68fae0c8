"""The losses the estimator families train with, as PyTorch modules."""

import torch

__all__ = ["REGRESSION_LOSSES", "LabelCrossEntropy", "MultilabelLoss", "PinballLoss"]


class PinballLoss(torch.nn.Module):
    """The pinball (quantile) loss: its minimiser is the ``quantile`` of the target.

    ``reduction`` is "mean" or "none", as for PyTorch's losses (sample weights need
    the unreduced losses).
    """

    def __init__(self, quantile=0.5, reduction="mean"):
        super().__init__()
        self.quantile = quantile
        self.reduction = reduction

    def forward(self, y_pred, y_true):
        error = y_true - y_pred
        loss = torch.maximum(self.quantile * error, (self.quantile - 1) * error)
        return loss.mean() if self.reduction == "mean" else loss


# The losses the regressors' ``loss`` names.
REGRESSION_LOSSES = {
    "squared_error": torch.nn.MSELoss,
    "absolute_error": torch.nn.L1Loss,
    "huber": torch.nn.HuberLoss,
    "quantile": PinballLoss,
}


class LabelCrossEntropy(torch.nn.CrossEntropyLoss):
    """Cross-entropy of class scores against labels stored as a float column.

    The training side keeps every target as a float32 matrix (one row per sample),
    so the class indices come as a column of whole numbers.
    """

    def forward(self, y_pred, y_true):
        return super().forward(y_pred, y_true[:, 0].long())


# The multilabel classifiers' loss: a binary cross-entropy for each label.
MultilabelLoss = torch.nn.BCEWithLogitsLoss
