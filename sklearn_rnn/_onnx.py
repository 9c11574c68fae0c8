"""Export to ONNX: the fitted estimator's whole ``predict``, written with ONNX's own
recurrent operators from the network's weights."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["to_onnx"]

# Each cell's gate blocks, in ONNX's order, as indices of PyTorch's blocks: PyTorch
# stacks an LSTM's gates as (input, forget, cell, output) and ONNX as (input, output,
# forget, cell); a GRU's as (reset, update, new) and ONNX as (update, reset, hidden).
_GATE_ORDER = {"lstm": [0, 3, 1, 2], "gru": [1, 0, 2], "rnn": [0]}
_OPERATOR = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}

# ONNX's standard operators, as of a version every maintained runtime runs.
DEFAULT_OPSET = 18


def to_onnx(estimator, *, opset=DEFAULT_OPSET):
    """Export a fitted recurrent estimator's ``predict`` to an ONNX model.

    The graph maps the raw input that ``predict`` takes to what ``predict`` returns,
    in the original units: the input standardisation, sequences that start later
    (leading NaN steps), patches, the linear path, the recurrent stack and the
    target's un-scaling are all inside it, so a runtime such as onnxruntime needs
    nothing but the graph. The recurrent stack uses ONNX's own ``LSTM``, ``GRU`` and
    ``RNN`` operators, each sequence run to its own length (``sequence_lens``).

    Requires the ``onnx`` package (``pip install "sklearn-rnn[onnx]"``, which brings
    onnxruntime too).

    Parameters
    ----------
    estimator : fitted RNNRegressor, LSTMRegressor, GRURegressor, RNNClassifier, \
            LSTMClassifier or GRUClassifier
        The model to export.

    opset : int, default=18
        The ONNX operator set the model declares (18 or later).

    Returns
    -------
    model : onnx.ModelProto
        One input, ``"X"``: float32 of shape ``(batch, time, features)``, batch and time
        dynamic (a model fitted on 2-D lag matrices takes ``(batch, n_features_in_)``).
        Rows of a batch that start later are padded in front with NaN, as ``predict``
        reads them. Outputs: a regressor's ``"y"``, float32, shaped as ``predict``'s
        (``(batch,)`` or ``(batch, n_outputs)``); a classifier's ``"label"`` (as
        ``predict``) and ``"probabilities"`` (as ``predict_proba``).

    See Also
    --------
    save_model : Store a model for Python, without pickle.

    Notes
    -----
    The graph does not check its input: ``predict``'s errors (a NaN inside a
    sequence, a wrong number of features) are not raised by a runtime, and a step
    counts as missing when all its features are NaN. Validate in the serving code
    what is not known to be clean. Outputs equal ``predict``'s to float32 rounding
    (within 1e-4 in the tests, for every cell, direction, readout and patch size).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import LSTMRegressor, to_onnx
    >>> X = np.random.RandomState(0).randn(40, 6, 2).astype(np.float32)
    >>> model = LSTMRegressor(max_epochs=2, random_state=0).fit(X, X[:, -1, 0])
    >>> onnx_model = to_onnx(model)
    >>> [i.name for i in onnx_model.graph.input], [o.name for o in onnx_model.graph.output]
    (['X'], ['y'])
    """
    try:
        import onnx
    except ImportError as exc:  # an optional dependency
        raise ImportError(
            'to_onnx needs the onnx package: pip install "sklearn-rnn[onnx]".'
        ) from exc
    from ._base import BaseRecurrentEstimator

    if not isinstance(estimator, BaseRecurrentEstimator):
        raise TypeError(
            f"to_onnx exports this package's estimators; got {type(estimator).__name__}."
        )
    check_is_fitted(estimator)
    if opset < DEFAULT_OPSET:
        raise ValueError(f"opset must be {DEFAULT_OPSET} or later; got {opset}.")
    graph = _Graph(onnx)
    X = graph.input("X", 2 if estimator._tabular else 3)
    _predict_graph(graph, estimator, X)
    name = type(estimator).__name__
    model = onnx.helper.make_model(
        graph.build(name),
        opset_imports=[onnx.helper.make_opsetid("", opset)],
        producer_name="sklearn-rnn",
    )
    model.ir_version = min(model.ir_version, 8)  # what onnxruntime 1.14 and later read
    onnx.checker.check_model(model)
    return model


def _predict_graph(graph, estimator, X):
    """Add ``estimator.predict`` (and a classifier's probabilities) on input ``X`` to
    ``graph``, its outputs named ``"y"``, or ``"label"`` and ``"probabilities"``."""
    tabular = estimator._tabular
    if tabular:
        order = estimator._column_order or estimator.column_order
        if order == "newest_first":  # read in time order
            X = graph.op(
                "Slice",
                X,
                graph.ints([-1]),
                graph.ints([-(2**62)]),
                graph.ints([1]),
                graph.ints([-1]),
            )
        X = graph.op("Unsqueeze", X, graph.ints([2]))
    # Rows that start later are NaN-led (right-aligned): steps before a row's start
    # count as zeros once standardised, as the network reads them.
    missing = graph.op("IsNaN", X)
    representation = estimator.representation_
    X, missing, rows = _encode_inputs(graph, representation, X, missing)
    X = graph.op("Where", missing, graph.floats(0.0), X)
    observed = graph.op("Cast", graph.op("Not", missing), to=7)
    observed = graph.op("ReduceMax", observed, graph.ints([2]), keepdims=0)
    lengths = graph.op("ReduceSum", observed, graph.ints([1]), keepdims=0)
    n_features = estimator.net_.module_.arguments["input_size"]
    outputs = _network(graph, estimator.net_.module_, X, lengths, n_features)
    if hasattr(estimator, "classes_"):
        _classifier_outputs(graph, estimator, outputs)
    else:
        _regressor_outputs(graph, estimator, outputs, rows)


class _Graph:
    """Nodes, constants and names of an ONNX graph under construction."""

    def __init__(self, onnx):
        self.onnx = onnx
        self.nodes, self.initializers, self.inputs, self.outputs = [], [], [], []
        self.count = 0

    def _name(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def input(self, name, rank):
        dims = ["batch", "columns"] if rank == 2 else ["batch", "time", "features"]
        self.inputs.append(
            self.onnx.helper.make_tensor_value_info(name, self.onnx.TensorProto.FLOAT, dims)
        )
        return name

    def output(self, value, name, dtype, dims):
        self.nodes.append(self.onnx.helper.make_node("Identity", [value], [name]))
        self.outputs.append(self.onnx.helper.make_tensor_value_info(name, dtype, dims))

    def const(self, array, hint="const"):
        name = self._name(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), name))
        return name

    def floats(self, values):
        return self.const(np.asarray(values, dtype=np.float32), "f")

    def ints(self, values):
        return self.const(np.asarray(values, dtype=np.int64), "i")

    def op(self, op_type, *inputs, n_outputs=1, **attributes):
        outputs = [self._name(op_type.lower()) for _ in range(n_outputs)]
        self.nodes.append(self.onnx.helper.make_node(op_type, list(inputs), outputs, **attributes))
        return outputs[0] if n_outputs == 1 else outputs

    def build(self, name):
        return self.onnx.helper.make_graph(
            self.nodes, name, self.inputs, self.outputs, self.initializers
        )


def _network(graph, module, X, lengths, n_features):
    """The graph of ``module`` (a RecurrentModule) on ``X``, each row's steps at its end
    (zeros before its start) and ``lengths`` its numbers of steps: (batch, outputs)."""
    arguments = module.arguments
    recent = None
    if arguments["linear_window"]:  # the last k steps, zeros before the row's start
        k, read = arguments["linear_window"], X
        if arguments["linear_features"] is not None:  # the first features of each step
            features = graph.ints([arguments["linear_features"]])
            read = graph.op("Slice", X, graph.ints([0]), features, graph.ints([2]))
        padded = graph.op("Pad", read, graph.ints([0, k, 0, 0, 0, 0]))
        recent = graph.op("Slice", padded, graph.ints([-k]), graph.ints([2**62]), graph.ints([1]))
        recent = graph.op("Flatten", recent, axis=1)
    p = arguments["patch_size"]
    if p > 1:
        # Patches counted back from each row's last step: zeros in front up to a
        # multiple of p, then every p steps side by side (RecurrentModule._patches).
        time = _axis_length(graph, X, 1)
        front = graph.op(
            "Mod",
            graph.op("Sub", graph.ints(p), graph.op("Mod", time, graph.ints(p))),
            graph.ints(p),
        )
        front = graph.op("Unsqueeze", front, graph.ints([0]))
        pads = graph.op("Concat", graph.ints([0]), front, graph.ints([0, 0, 0, 0]), axis=0)
        X = graph.op("Reshape", graph.op("Pad", X, pads), graph.ints([0, -1, p * n_features]))
        lengths = graph.op("Div", graph.op("Add", lengths, graph.ints(p - 1)), graph.ints(p))
    X = _left_aligned(graph, X, lengths, p * n_features)
    summary = _recurrent_stack(graph, module, X, lengths)
    outputs = _dense(graph, summary, module.head)
    if recent is not None:
        outputs = graph.op("Add", outputs, _dense(graph, recent, module.linear))
    return outputs


def _encode_inputs(graph, representation, X, missing):
    """The representation's ``encode_inputs`` (see ``_representation.py``) on ``X``
    (batch, time, features), NaN where ``missing``: the network's inputs (NaN where
    missing), their mask, and what decoding reads of each row (``"last"``, ``"scale"``,
    each (batch, 1, features))."""
    rows = {}
    if representation.relative:
        # Each row relative to its last step (observed: rows end at the last column),
        # beside the row itself; or, scaled by the window, over its scale alone.
        last = graph.op("Slice", X, graph.ints([-1]), graph.ints([2**62]), graph.ints([1]))
        rows["last"] = last
        if representation.window_scale is not None:
            rows["scale"] = _window_scales(graph, X, missing, representation.scale_floor)
            X = graph.op("Div", graph.op("Sub", X, last), rows["scale"])
        else:
            X = graph.op("Concat", graph.op("Sub", X, last), X, axis=2)
            missing = graph.op("Concat", missing, missing, axis=2)
    if representation.input_mean is not None:
        X = graph.op("Sub", X, graph.floats(representation.input_mean))
        X = graph.op("Div", X, graph.floats(representation.input_scale))
    return X, missing, rows


def _window_scales(graph, X, missing, floor):
    """Each row's scale, (batch, 1, features), as ``_representation.window_scales``: the
    mean absolute change between consecutive observed steps, floored at ``floor`` times
    the mean absolute value; where that is zero, the mean absolute value, else 1."""
    after = graph.op("Slice", X, graph.ints([1]), graph.ints([2**62]), graph.ints([1]))
    before = graph.op("Slice", X, graph.ints([0]), graph.ints([-1]), graph.ints([1]))
    change = graph.op("Sub", after, before)  # NaN where a step is missing
    counted = graph.op("Not", graph.op("IsNaN", change))
    change = graph.op("Where", counted, graph.op("Abs", change), graph.floats(0.0))
    n_changes = graph.op("ReduceSum", graph.op("Cast", counted, to=1), graph.ints([1]), keepdims=1)
    total = graph.op("ReduceSum", change, graph.ints([1]), keepdims=1)
    mean_change = graph.op("Div", total, graph.op("Max", n_changes, graph.floats(1.0)))
    observed = graph.op("Not", missing)
    level = graph.op("Where", observed, graph.op("Abs", X), graph.floats(0.0))
    n_steps = graph.op("ReduceSum", graph.op("Cast", observed, to=1), graph.ints([1]), keepdims=1)
    mean_level = graph.op("Div", graph.op("ReduceSum", level, graph.ints([1]), keepdims=1), n_steps)
    scale = graph.op("Max", mean_change, graph.op("Mul", mean_level, graph.floats(floor)))
    zero = graph.floats(0.0)
    scale = graph.op("Where", graph.op("Greater", scale, zero), scale, mean_level)
    return graph.op("Where", graph.op("Greater", scale, zero), scale, graph.floats(1.0))


def _dense(graph, X, layer):
    """``layer`` (a torch ``nn.Linear``) applied to ``X``."""
    weight, bias = (graph.floats(_numpy(t)) for t in (layer.weight, layer.bias))
    return graph.op("Gemm", X, weight, bias, transB=1)


def _axis_length(graph, X, axis):
    """``X.shape[axis]`` as a 0-d int64 tensor."""
    return graph.op("Gather", graph.op("Shape", X), graph.ints(axis), axis=0)


def _step_numbers(graph, X):
    """The length of ``X``'s time axis (axis 1), and ``[[0, 1, ..., time - 1]]``."""
    time = _axis_length(graph, X, 1)
    steps = graph.op("Range", graph.ints(0), time, graph.ints(1))
    return time, graph.op("Unsqueeze", steps, graph.ints([0]))


def _left_aligned(graph, X, lengths, width):
    """Each row's last ``lengths`` steps moved to its front, as the recurrent operators
    read them (what follows is any of its steps: they stop at each length)."""
    time, steps = _step_numbers(graph, X)
    leading = graph.op("Unsqueeze", graph.op("Sub", time, lengths), graph.ints([1]))
    index = graph.op("Min", graph.op("Add", steps, leading), graph.op("Sub", time, graph.ints(1)))
    index = graph.op(
        "Expand", graph.op("Unsqueeze", index, graph.ints([2])), graph.ints([1, 1, width])
    )
    return graph.op("GatherElements", X, index, axis=1)


def _mask(graph, X, lengths):
    """1.0 where a step is one of its sequence's ``lengths`` first, else 0.0: (batch, time, 1)."""
    _, steps = _step_numbers(graph, X)
    valid = graph.op("Less", steps, graph.op("Unsqueeze", lengths, graph.ints([1])))
    return graph.op("Unsqueeze", graph.op("Cast", valid, to=1), graph.ints([2]))


def _recurrent_stack(graph, module, X, lengths):
    """The stack as ONNX recurrent operators, one per layer, each sequence run to its
    length; the summary the head reads, (batch, directions * hidden)."""
    arguments = module.arguments
    cell, hidden = arguments["cell"], arguments["hidden_size"]
    directions = 2 if arguments["bidirectional"] else 1
    sequence_lens = graph.op("Cast", lengths, to=6)  # int32, as ONNX asks
    inputs = graph.op("Transpose", X, perm=[1, 0, 2])  # (time, batch, features)
    attributes = {
        "hidden_size": hidden,
        "direction": "bidirectional" if directions == 2 else "forward",
    }
    if cell == "gru":  # PyTorch applies the reset gate after the recurrent product
        attributes["linear_before_reset"] = 1
    if cell == "rnn":
        activation = "Relu" if arguments["nonlinearity"] == "relu" else "Tanh"
        attributes["activations"] = [activation] * directions
    for layer in range(arguments["num_layers"]):
        # Per direction: (W, R, B) with ONNX's gate order, B the two biases end to end.
        weights = [
            [_onnx_gates(_numpy(w), cell) for w in module.layer_weights(layer, reverse)]
            for reverse in (False, True)[:directions]
        ]
        W = np.stack([w_ih for w_ih, _, _, _ in weights])
        R = np.stack([w_hh for _, w_hh, _, _ in weights])
        B = np.stack([np.concatenate([b_ih, b_hh]) for _, _, b_ih, b_hh in weights])
        Y, Y_h = graph.op(
            _OPERATOR[cell],
            inputs,
            graph.floats(W),
            graph.floats(R),
            graph.floats(B),
            sequence_lens,
            n_outputs=2,
            **attributes,
        )
        # (time, directions, batch, hidden) -> (time, batch, directions * hidden)
        Y = graph.op("Reshape", graph.op("Transpose", Y, perm=[0, 2, 1, 3]), graph.ints([0, 0, -1]))
        inputs = Y
    if arguments["readout"] == "last":
        # The forward state at each sequence's last step, the backward one at its first.
        return graph.op("Reshape", graph.op("Transpose", Y_h, perm=[1, 0, 2]), graph.ints([0, -1]))
    outputs = graph.op("Transpose", inputs, perm=[1, 0, 2])  # (batch, time, features)
    mask = _mask(graph, outputs, lengths)
    if arguments["readout"] == "mean":
        total = graph.op("ReduceSum", graph.op("Mul", outputs, mask), graph.ints([1]), keepdims=0)
        n = graph.op("Unsqueeze", graph.op("Cast", lengths, to=1), graph.ints([1]))
        return graph.op("Div", total, n)
    masked = graph.op("Where", graph.op("Cast", mask, to=9), outputs, graph.floats(-np.inf))
    return graph.op("ReduceMax", masked, graph.ints([1]), keepdims=0)


def _onnx_gates(weight, cell):
    """PyTorch's gate blocks (stacked on the first axis) in ONNX's order."""
    blocks = np.split(weight, len(_GATE_ORDER[cell]))
    return np.concatenate([blocks[i] for i in _GATE_ORDER[cell]])


def _numpy(tensor):
    return tensor.detach().cpu().numpy().astype(np.float32)


def _regressor_outputs(graph, estimator, outputs, rows):
    """A regressor's ``"y"``: the representation's ``decode`` of ``outputs``: unscaled,
    and for relative outputs times each row's scale and plus its last value of the
    output's feature."""
    representation = estimator.representation_
    if representation.target_mean is not None:
        outputs = graph.op("Mul", outputs, graph.floats(representation.target_scale))
        outputs = graph.op("Add", outputs, graph.floats(representation.target_mean))
    if representation.relative:
        features, relative = representation.relative_columns()
        features = graph.ints(features)
        if "scale" in rows:
            scale = graph.op("Squeeze", rows["scale"], graph.ints([1]))  # (batch, features)
            outputs = graph.op("Mul", outputs, graph.op("Gather", scale, features, axis=1))
        last = graph.op("Squeeze", rows["last"], graph.ints([1]))  # (batch, features)
        last = graph.op("Gather", last, features, axis=1)
        outputs = graph.op("Add", outputs, graph.op("Mul", last, graph.floats(relative)))
    float32 = graph.onnx.TensorProto.FLOAT
    if estimator._y_ndim == 1:
        graph.output(graph.op("Squeeze", outputs, graph.ints([1])), "y", float32, ["batch"])
    else:
        graph.output(outputs, "y", float32, ["batch", estimator.n_outputs_])


def _classifier_outputs(graph, estimator, outputs):
    TensorProto = graph.onnx.TensorProto
    n_classes = len(estimator.classes_)
    if estimator._multilabel:
        probabilities = graph.op("Sigmoid", outputs)
        label = graph.op("Cast", graph.op("Greater", outputs, graph.floats(0.0)), to=7)
        graph.output(label, "label", TensorProto.INT64, ["batch", n_classes])
    else:
        probabilities = graph.op("Softmax", outputs, axis=1)
        index = graph.op("ArgMax", outputs, axis=1, keepdims=0)
        classes = estimator.classes_
        if classes.dtype.kind in "OU":  # labels as ONNX strings
            classes, dtype = np.asarray(classes.astype(str), dtype=object), TensorProto.STRING
        else:
            dtype = graph.onnx.helper.np_dtype_to_tensor_dtype(classes.dtype)
        label = graph.op("Gather", graph.const(classes, "classes"), index, axis=0)
        graph.output(label, "label", dtype, ["batch"])
    graph.output(probabilities, "probabilities", TensorProto.FLOAT, ["batch", n_classes])


# -- skl2onnx: converters for pipelines ---------------------------------------------------


def register_onnx_converters():
    """Register converters with skl2onnx for the regressors and the window transformer.

    After this call ``skl2onnx.to_onnx`` converts a scikit-learn pipeline that contains
    :class:`SlidingWindowTransformer` and ends in :class:`LSTMRegressor`,
    :class:`GRURegressor` or :class:`RNNRegressor` (scalers and other steps before
    them converted by skl2onnx itself), with ``target_opset`` 18 or later. A regressor's
    graph is the one :func:`to_onnx` writes. Classifiers are exported by
    :func:`to_onnx`; skl2onnx's handling of classifier outputs (``ZipMap``) is not
    registered. Requires skl2onnx.

    See Also
    --------
    to_onnx : Export one fitted estimator.

    Examples
    --------
    >>> import numpy as np, skl2onnx
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import (
    ...     LSTMRegressor, SlidingWindowTransformer, register_onnx_converters)
    >>> series = np.sin(np.arange(60.0) / 4).reshape(-1, 1).astype(np.float32)
    >>> pipe = make_pipeline(
    ...     SlidingWindowTransformer(window_size=6), LSTMRegressor(max_epochs=2)
    ... ).fit(series[:-1], series[1:, 0])
    >>> register_onnx_converters()
    >>> onnx_model = skl2onnx.to_onnx(pipe, series[:1], target_opset=18)
    """
    try:
        from skl2onnx import update_registered_converter
    except ImportError as exc:  # an optional dependency
        raise ImportError(
            'register_onnx_converters needs skl2onnx: pip install "sklearn-rnn[onnx]".'
        ) from exc
    from ._base import registered_estimators
    from ._window import SlidingWindowTransformer

    for name, cls in registered_estimators().items():
        if name.endswith("Regressor"):
            update_registered_converter(
                cls, f"SklearnRnn{name}", _regressor_shape, _convert_estimator
            )
    update_registered_converter(
        SlidingWindowTransformer,
        "SklearnRnnSlidingWindowTransformer",
        _window_shape,
        _convert_window,
    )


class _ContainerGraph(_Graph):
    """The :class:`_Graph` interface writing into a skl2onnx container: unique names
    from its scope, constants as ``Constant`` nodes, outputs to the operator's."""

    def __init__(self, onnx, scope, container, outputs):
        super().__init__(onnx)
        self.scope, self.container, self.operator_outputs = scope, container, outputs

    def _name(self, hint):
        return self.scope.get_unique_variable_name(hint)

    def const(self, array, hint="const"):
        name = self._name(hint)
        value = self.onnx.numpy_helper.from_array(np.asarray(array), name)
        self.container.add_node(
            "Constant", [], [name], name=self.scope.get_unique_operator_name("Const"), value=value
        )
        return name

    def op(self, op_type, *inputs, n_outputs=1, **attributes):
        outputs = [self._name(op_type.lower()) for _ in range(n_outputs)]
        self.container.add_node(
            op_type,
            list(inputs),
            outputs,
            name=self.scope.get_unique_operator_name(op_type),
            **attributes,
        )
        return outputs[0] if n_outputs == 1 else outputs

    def output(self, value, name, dtype, dims):
        self.container.add_node(
            "Identity",
            [value],
            [self.operator_outputs[name]],
            name=self.scope.get_unique_operator_name("Identity"),
        )


def _check_opset(container):
    opset = container.target_opset
    if opset is not None and opset < DEFAULT_OPSET:
        raise ValueError(
            f"sklearn-rnn's converters need target_opset {DEFAULT_OPSET} or later; got "
            f"{opset}: pass target_opset={DEFAULT_OPSET} to skl2onnx.to_onnx."
        )


def _regressor_shape(operator):
    from skl2onnx.common.data_types import FloatTensorType

    estimator = operator.raw_operator
    batch = operator.inputs[0].get_first_dimension()
    dims = [batch] if estimator._y_ndim == 1 else [batch, estimator.n_outputs_]
    operator.outputs[0].type = FloatTensorType(dims)


def _convert_estimator(scope, operator, container):
    import onnx

    _check_opset(container)
    graph = _ContainerGraph(onnx, scope, container, {"y": operator.outputs[0].full_name})
    X = _float_input(graph, operator)
    _predict_graph(graph, operator.raw_operator, X)


def _float_input(graph, operator):
    """The operator's input, cast to float32 unless it is already."""
    X = operator.inputs[0]
    if type(X.type).__name__ == "FloatTensorType":
        return X.full_name
    return graph.op("Cast", X.full_name, to=graph.onnx.TensorProto.FLOAT)


def _window_shape(operator):
    from skl2onnx.common.data_types import FloatTensorType

    transformer = operator.raw_operator
    batch = operator.inputs[0].get_first_dimension()
    w, f = transformer.window_size, transformer.n_features_in_
    dims = [batch, w * f] if transformer.flatten else [batch, w, f]
    operator.outputs[0].type = FloatTensorType(dims)


def _convert_window(scope, operator, container):
    """Row ``t``: rows ``t - window_size + 1 .. t`` of the series, NaN before its start;
    from windows with history (3-D input), each row's last ``window_size`` steps."""
    import onnx

    _check_opset(container)
    transformer = operator.raw_operator
    graph = _ContainerGraph(onnx, scope, container, {"windows": operator.outputs[0].full_name})
    w, f = transformer.window_size, transformer.n_features_in_
    X = _float_input(graph, operator)
    if len(operator.inputs[0].type.shape) == 3:
        last = graph.ints([-w]), graph.ints([2**62]), graph.ints([1])
        windows = graph.op("Slice", X, *last)
        if transformer.flatten:
            windows = graph.op("Reshape", windows, graph.ints([0, w * f]))
        graph.output(windows, "windows", onnx.TensorProto.FLOAT, None)
        return
    padded = graph.op("Concat", graph.floats(np.full((w - 1, f), np.nan)), X, axis=0)
    n = _axis_length(graph, X, 0)
    rows = graph.op(
        "Unsqueeze", graph.op("Range", graph.ints(0), n, graph.ints(1)), graph.ints([1])
    )
    index = graph.op("Add", rows, graph.ints(np.arange(w)[None, :]))
    windows = graph.op("Gather", padded, index, axis=0)  # (n, w, f)
    if transformer.flatten:
        windows = graph.op("Reshape", windows, graph.ints([0, w * f]))
    graph.output(windows, "windows", onnx.TensorProto.FLOAT, None)
