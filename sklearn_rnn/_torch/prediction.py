"""Prediction: the network's outputs for sequences in the internal form.

One place for it, and one padding rule: every batch is padded to a multiple of
``PREDICT_ROW_MULTIPLE`` rows, so that a sample's prediction never depends on the
samples that share its batch.
"""

import numpy as np
import torch

from .threads import thread_policy

__all__ = ["PREDICT_BATCH_SIZE", "PREDICT_ROW_MULTIPLE", "forward"]

# Predictions are computed in batches of this many rows, the last one padded with zero
# sequences to a multiple of PREDICT_ROW_MULTIPLE rows. float32 matrix products round
# differently for one or two rows (other kernels), so a sample predicted alone would
# differ in the last bit from the same sample predicted among others; with every batch
# at least 8 rows, a sample's prediction does not depend on which samples share its
# batch. 128 is only the fastest batch for an LSTM on a CPU.
PREDICT_BATCH_SIZE = 128
PREDICT_ROW_MULTIPLE = 8


def forward(net, X, lengths):
    """The network's outputs for sequences in the internal form, as float32 numpy.

    Sequences of different lengths are predicted in order of length, so that each batch
    holds similar lengths and little padding; the outputs come back in the given order.
    The module is called directly in inference mode, batch by batch of
    ``PREDICT_BATCH_SIZE`` rows (skorch's ``evaluation_step`` adds nothing here but a
    fitted check per batch): a prediction of one sample costs the padded batch and
    little else.
    """
    order = None
    if lengths is not None:
        order = np.argsort(lengths, kind="stable")
        X, lengths = X[order], lengths[order]
    net._set_training(False)
    with torch.inference_mode(), thread_policy():
        outputs = [
            _infer_padded(
                net,
                X[start : start + PREDICT_BATCH_SIZE],
                None if lengths is None else lengths[start : start + PREDICT_BATCH_SIZE],
            )
            for start in range(0, len(X), PREDICT_BATCH_SIZE)
        ]
    outputs = outputs[0] if len(outputs) == 1 else np.concatenate(outputs)
    if order is None:
        return outputs
    unsorted = np.empty_like(outputs)
    unsorted[order] = outputs
    return unsorted


def _infer_padded(net, X, lengths):
    """One batch of the internal form, padded with zero sequences of full length to a
    multiple of ``PREDICT_ROW_MULTIPLE`` rows, its rows' outputs as float32 numpy."""
    n_rows = len(X)
    n_pad = -n_rows % PREDICT_ROW_MULTIPLE
    padded = torch.zeros((n_rows + n_pad,) + X.shape[1:], dtype=torch.float32)
    padded.numpy()[:n_rows] = X  # a copy: X may be the caller's, even read-only
    if lengths is None:
        return net.infer(padded)[:n_rows].cpu().numpy()
    full = torch.full((n_pad,), X.shape[1], dtype=torch.int64)
    batch = {"X": padded, "lengths": torch.cat([torch.from_numpy(lengths), full])}
    return net.infer(batch)[:n_rows].cpu().numpy()
