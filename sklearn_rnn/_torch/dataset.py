"""The internal form as tensors: a dataset whose batches are slices, and its batches."""

import numpy as np
import torch


def as_tensor(array):
    """A tensor over ``array`` without a copy where it is safe, else over a copy."""
    array = np.ascontiguousarray(array)
    if not array.flags.writeable:
        array = array.copy()
    return torch.from_numpy(array)


class SequenceDataset(torch.utils.data.Dataset):
    """Sequences held as whole tensors, so that a batch is one slice, not a collate.

    Parameters
    ----------
    X : torch.Tensor of shape (n_samples, n_timesteps, n_features)
    y : torch.Tensor of shape (n_samples, n_outputs) or None
    lengths : torch.Tensor of shape (n_samples,), int64, on the CPU, or None
    sample_weight : torch.Tensor of shape (n_samples,) or None
    repeats : torch.Tensor of shape (n_samples,), int64, or None
        How many times each sample occurs (counts): the dataset then has
        ``repeats.sum()`` items, item ``i`` being sample ``index[i]`` where ``index``
        repeats each sample's position as often as its count.
    """

    def __init__(self, X, y=None, lengths=None, sample_weight=None, repeats=None):
        self.X = X
        self.y = y
        self.lengths = lengths
        self.sample_weight = sample_weight
        self.index = None
        if repeats is not None:
            self.index = torch.repeat_interleave(torch.arange(len(X)), repeats.cpu())

    def __len__(self):
        return len(self.X) if self.index is None else len(self.index)

    def item_lengths(self):
        """The number of valid steps of each item (repeats included), or None."""
        if self.lengths is None or self.index is None:
            return self.lengths
        return self.lengths[self.index]

    def take(self, index):
        """The batch at ``index`` (a slice or an index tensor) as ``(inputs, y)``.

        ``inputs`` is the ``X`` tensor when there are neither lengths nor weights, else
        a dict with ``"X"`` and whichever of ``"lengths"`` and ``"sample_weight"`` exist.
        """
        if self.index is not None:
            index = self.index[index.cpu() if isinstance(index, torch.Tensor) else index]
            if self.X.device.type != "cpu":
                index = index.to(self.X.device)
        if self.lengths is None and self.sample_weight is None:
            return self.X[index], (None if self.y is None else self.y[index])
        inputs = {"X": self.X[index]}
        if self.lengths is not None:
            # lengths stay on the CPU, where packing needs them.
            on_cpu = index.cpu() if isinstance(index, torch.Tensor) else index
            inputs["lengths"] = self.lengths[on_cpu]
        if self.sample_weight is not None:
            inputs["sample_weight"] = self.sample_weight[index]
        return inputs, (None if self.y is None else self.y[index])

    def __getitem__(self, i):
        return self.take(i)


class BatchIterator:
    """Mini-batches sliced from a :class:`SequenceDataset`; skorch's ``iterator_*``.

    Parameters
    ----------
    dataset : SequenceDataset
    batch_size : int
    shuffle : bool, default=False
        Draw a new permutation for every pass over the data.
    random_state : int, default=0
        Seed of the permutations.

    Shuffled sequences of different lengths are bucketed: each pass draws a
    permutation, sorts each run of ``BUCKET_BATCHES`` batches of it by length, cuts
    the runs into batches and shuffles the batches. A batch then holds sequences of
    similar lengths, and little of its time goes to padding.
    """

    # How many batches' worth of shuffled sequences are sorted by length together:
    # enough for batches of similar lengths, few enough to keep the batches random.
    BUCKET_BATCHES = 16

    def __init__(self, dataset, batch_size, shuffle=False, random_state=0):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = torch.Generator().manual_seed(int(random_state))

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        n_samples = len(self.dataset)
        batch_size = self.batch_size
        if self.shuffle and n_samples > batch_size:
            order = torch.randperm(n_samples, generator=self.generator)
            batches = list(torch.split(order, batch_size))
            lengths = self.dataset.item_lengths()
            if lengths is not None:
                batches = self._buckets(order, lengths)
            for batch in batches:
                if self.dataset.X.device.type != "cpu":
                    batch = batch.to(self.dataset.X.device)
                yield self.dataset.take(batch)
        else:
            # One batch, or no shuffling: plain slices are views, no copy at all.
            for start in range(0, n_samples, batch_size):
                yield self.dataset.take(slice(start, start + batch_size))

    def _buckets(self, order, lengths):
        """The batches of permutation ``order``, bucketed by length, in random order."""
        run = self.batch_size * self.BUCKET_BATCHES
        batches = []
        for chunk in torch.split(order, run):
            by_length = chunk[torch.argsort(lengths[chunk], stable=True)]
            batches.extend(torch.split(by_length, self.batch_size))
        shuffled = torch.randperm(len(batches), generator=self.generator)
        return [batches[i] for i in shuffled]
