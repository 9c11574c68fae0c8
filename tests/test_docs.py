"""What the documentation shows: code that fits its page, and outputs that are true."""

import re
from pathlib import Path

import numpy as np
import pytest

import sklearn_rnn

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# Code blocks hold about 82 characters at 1280 px (docs/_static/custom.css); the
# examples keep to 79 through ruff (examples/ruff.toml), the pages' code blocks here.
MAX_CODE_LINE = 79

pytestmark = pytest.mark.skipif(not DOCS.is_dir(), reason="needs the source tree")


def _rst_code_blocks(path):
    """(first line number, lines) of each ``code-block`` or ``::`` block of a page."""
    lines = path.read_text().splitlines()
    blocks, i = [], 0
    while i < len(lines):
        line = lines[i]
        starts = re.match(r"\s*\.\. code(-block)?::", line) or (
            line.rstrip().endswith("::") and not line.lstrip().startswith("..")
        )
        i += 1
        if not starts:
            continue
        while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith(":")):
            i += 1
        if i == len(lines):
            break
        indent = len(lines[i]) - len(lines[i].lstrip())
        first, block = i + 1, []
        while i < len(lines) and (
            not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) >= indent
        ):
            block.append(lines[i][indent:])
            i += 1
        while block and not block[-1]:
            block.pop()
        blocks.append((first, block))
    return blocks


def _pages():
    generated = {"_build", "auto_examples", "modules", "sg_execution_times.rst"}
    return sorted(path for path in DOCS.rglob("*.rst") if not generated & set(path.parts))


def test_the_code_block_finder_sees_indented_blocks(tmp_path):
    page = tmp_path / "page.rst"
    page.write_text("Text::\n\n   a = 1\n\n   b = 2\nafter\n\n.. code-block:: python\n\n  c = 3\n")
    assert _rst_code_blocks(page) == [(3, ["a = 1", "", "b = 2"]), (10, ["c = 3"])]


@pytest.mark.parametrize("page", _pages(), ids=lambda page: str(page.relative_to(DOCS)))
def test_code_blocks_fit_the_page_width(page):
    too_long = [
        f"{page.name}:{first + k}: {len(line)} characters"
        for first, block in _rst_code_blocks(page)
        for k, line in enumerate(block)
        if len(line) > MAX_CODE_LINE
    ]
    assert not too_long, too_long


def _python_block_with_printed_array(path, marker):
    """The code block of a page that contains ``marker``, and the array its last line's
    comment says it prints."""
    text = path.read_text()
    if path.suffix == ".md":
        blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    else:
        blocks = ["\n".join(block) for _, block in _rst_code_blocks(path)]
    (code,) = [block for block in blocks if marker in block]
    shown = code.rstrip().splitlines()[-1].split("  # ")[1]
    return code, _numbers(shown)


def _numbers(text):
    return np.array([float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", text)])


@pytest.mark.parametrize(
    "path", [ROOT / "README.md", DOCS / "index.rst"], ids=["README", "docs index"]
)
def test_the_sequence_example_prints_what_its_comment_says(path):
    """Run as pasted into a file, the block prints the array its comment shows."""
    import contextlib
    import io

    code, shown = _python_block_with_printed_array(path, "0.5, 0.6, 0.7, 0.8, 0.9")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})
    assert len(shown) == 1 and printed.getvalue().startswith("[")
    # Fits agree to the bit only on the same number of threads; the shown digits
    # come from a run on two.
    np.testing.assert_allclose(_numbers(printed.getvalue()), shown, rtol=1e-4)


@pytest.mark.parametrize(
    "function",
    [
        sklearn_rnn.save_model,
        sklearn_rnn.load_model,
        sklearn_rnn.LossCurveDisplay.from_estimator,
    ],
)
def test_functions_that_take_any_estimator_say_so(function):
    """save_model, load_model and the loss curve take classifiers too: their
    docstrings name every estimator they take."""
    for name in ("RNNRegressor", "LSTMRegressor", "GRURegressor"):
        assert name in function.__doc__
    for name in ("RNNClassifier", "LSTMClassifier", "GRUClassifier"):
        assert name in function.__doc__


def test_the_readmes_tabular_baseline_runs_as_written():
    """The README promises lag features for a tabular baseline in the same pipeline:
    its own code must run, first rows (NaN lags) and all."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn import SlidingWindowTransformer, frame_forecast
    from sklearn_rnn.datasets import load_sunspots

    code = "make_pipeline(SlidingWindowTransformer(12, flatten=True), SimpleImputer(), Ridge())"
    assert f"`{code}`" in (ROOT / "README.md").read_text()
    X, y = frame_forecast(load_sunspots().data)
    namespace = {
        "make_pipeline": make_pipeline,
        "SlidingWindowTransformer": SlidingWindowTransformer,
        "SimpleImputer": SimpleImputer,
        "Ridge": Ridge,
    }
    model = eval(code, namespace).fit(X[:-60], y[:-60])
    assert model.score(X[-60:], y[-60:]) > 0.5  # a baseline, not a failure


def test_the_table_of_defaults_is_the_estimators_defaults():
    """Getting started's table of defaults, row by row, against get_params."""
    import ast

    from sklearn_rnn import LSTMClassifier, LSTMRegressor, SlidingWindowTransformer

    text = (DOCS / "getting_started.rst").read_text()
    table = text[text.index("What the defaults mean") :]
    rows = re.findall(r"   \* - (.*)\n     - (.*)\n     - (.*)\n", table)[1:]  # no header
    defaults = {
        "regressors": LSTMRegressor().get_params(),
        "classifiers": LSTMClassifier().get_params(),
    }
    checked = set()
    for names_cell, *cells in rows:
        names = re.findall(r"``(\w+)", names_cell)
        if names == ["SlidingWindowTransformer"]:
            assert int(cells[0]) == SlidingWindowTransformer().window_size
            continue
        for family, cell in zip(defaults, cells, strict=True):
            if cell.startswith("("):  # not a parameter of this family, or fixed
                assert cell == "(cross-entropy)" or defaults[family][names[0]] == 0
                continue
            values = [ast.literal_eval(v) for v in cell.split(", ")]
            assert dict(zip(names, values, strict=True)) == {
                name: defaults[family][name] for name in names
            }, names
        checked.update(names)
    listed = set(re.findall(r"``(\w+)=", table[table.index("Also ") :]))
    every = set(defaults["regressors"]) | set(defaults["classifiers"])
    assert (checked | listed) - {"nonlinearity"} == every  # the plain RNN's own
