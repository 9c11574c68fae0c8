"""What the documentation shows: code that fits its page, and outputs that are true."""

import importlib.util
import json
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
            if cell == "(regressors only)":
                assert names[0] not in defaults[family]
                continue
            if cell.startswith("("):  # off in this family, or fixed
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


def _benchmark(name):
    """The benchmark script ``benchmarks/<name>.py`` as a module (its tables, figures)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _results(name):
    """A results file of ``benchmarks/``, ``results_<name>_cpu.json``."""
    return json.loads((ROOT / "benchmarks" / f"results_{name}_cpu.json").read_text())


def _prose(path):
    """A page's text with every run of whitespace one space, as a reader sees it."""
    return " ".join(path.read_text().split())


def test_the_defaults_page_shows_the_results_file():
    """Every forecasting table of "How the defaults were chosen" is the one the quality
    benchmark prints from its results file: a figure there cannot drift from the run."""
    bench = _benchmark("bench_quality")
    results = _results("quality")
    page = (DOCS / "user_guide" / "defaults.rst").read_text()
    for name, text in bench.docs_tables(results).items():
        assert text in page, f"the page's {name} table is not the results file's"


def test_the_forecasting_figures_in_prose_are_the_results_files():
    """The README's and the guide's summary figures, recomputed from the results file."""
    bench = _benchmark("bench_quality")
    results = _results("quality")
    figures = bench.summary_figures(results["forecast_defaults"]["forecast"])["lstm"]
    best = f"{bench.geometric_mean(figures['best']):.2f}"
    worst = f"{figures['best'].max():.2f}"
    statistical = f"{bench.geometric_mean(figures['statistical']):.2f}"
    readme = _prose(ROOT / "README.md")
    guide = _prose(DOCS / "user_guide" / "forecasting.rst")
    assert f"{best} of the best simple forecast" in readme
    assert f"at most {worst} on any" in readme
    assert f"{statistical} of the better of statsforecast's AutoETS and AutoTheta" in readme
    study = results["forecast_study"]["relative_to_and_lr"]
    before = [
        bench.summary_figures(study[f"relative_to_None_lr_{lr}"]["forecast"])["lstm"]["best"]
        for lr in ("0.001", "0.01")
    ]
    low, high = sorted(f"{bench.geometric_mean(b):.2f}" for b in before)
    rows = sorted(int((b > 1.3).sum()) for b in before)
    assert f"from {low}-{high} of the best simple forecast" in guide
    assert f"to {best}, with no row above 1.3 ({rows[0]} to {rows[1]} before)" in guide
    assert f"to {statistical} of the better of statsforecast's AutoETS and AutoTheta" in guide


def test_the_interval_figures_are_the_results_files():
    """The guide's table of intervals, and the figures the README and the example quote,
    are those of benchmarks/results_intervals_cpu.json."""
    bench = _benchmark("bench_intervals")
    results = _results("intervals")
    guide = (DOCS / "user_guide" / "forecasting.rst").read_text()
    assert bench.rst_table(results) in guide

    def coverage(setup, method):
        return f"{np.mean(results[setup][method]['coverage']):.2f}"

    levels = "relative_to=None"
    readme = _prose(ROOT / "README.md")
    assert f"it covered {coverage(levels, 'CQR')} of the sunspots' last 60 years" in readme
    assert f"; {coverage('results', 'CQR')} at the defaults)" in readme
    assert f"adaptive conformal inference {coverage(levels, 'ACI')}" in readme
    example = " ".join(
        line.lstrip("# ")
        for line in (ROOT / "examples" / "plot_prediction_intervals.py").read_text().splitlines()
    )
    assert (
        f"CQR covered {coverage(levels, 'CQR')} and ACI {coverage(levels, 'ACI')} of the "
        f"holdout, the quantile pair {coverage(levels, 'quantile pair')} and split "
        f"conformal {coverage(levels, 'split conformal')}; at the defaults (the change from "
        f"the last value), CQR {coverage('results', 'CQR')} and ACI "
        f"{coverage('results', 'ACI')}"
    ) in example


def test_the_classifiers_figures_are_the_results_files():
    results = _results("quality")
    scores = [
        row["lstm"]
        for row in results["classify_defaults"]["classify"]
        if row["dataset"] == "japanese_vowels"
    ]
    shown = f"{min(scores):.3f}-{max(scores):.3f}"
    assert f"scores {shown} on the test split (seeds 0-2" in _prose(
        DOCS / "user_guide" / "classification.rst"
    )
    assert f"seeds 0-2 score {shown} here" in _prose(ROOT / "README.md")


def test_the_serving_figures_are_the_results_files():
    results = _results("serving")
    regressor = results["results"]["LSTMRegressor"]
    classifier = results["results"]["LSTMClassifier"]
    onnx = f"{regressor['onnxruntime']['us_per_call']:.0f}"
    predict = f"{regressor['predict']['us_per_call']:.0f}"
    readme = _prose(ROOT / "README.md")
    assert f"took {onnx} µs in onnxruntime against {predict} µs for `predict`" in readme
    guide = _prose(DOCS / "user_guide" / "performance.rst")
    ratio = f"{regressor['predict']['ratio_to_module_8_rows']:.2f}x the module on 8 rows"
    assert f"``predict`` {ratio}" in guide
    assert (
        f"``predict_proba`` {classifier['predict_proba']['ratio_to_module_8_rows']:.2f}x" in guide
    )
    deploying = _prose(DOCS / "user_guide" / "deploying.rst")
    share = regressor["onnxruntime"]["us_per_call"] / regressor["predict"]["us_per_call"]
    assert f"``predict`` took {predict} µs" in deploying
    assert f"{share:.2f} times ``predict``" in deploying


def test_the_panel_page_shows_the_results_file():
    bench = _benchmark("bench_panel")
    results = _results("panel")
    page = (DOCS / "user_guide" / "panels.rst").read_text()
    assert bench.rst_table(results) in page
    lstm = np.mean([r["mase"] for r in results["rows"] if r["model"] == "lstm"])
    text = " ".join(page.split())
    assert f"is at {lstm:.2f} MASE" in text
    framing = results["framing_seconds"]
    assert (
        f"{framing['1']:.2f} s for the 181 series, {framing['10']:.2f} s for ten copies, "
        f"{framing['100']:.1f} s for a hundred"
    ) in text


def test_the_m1_figures_in_prose_are_the_results_files():
    """The README's and the panel page's M1 figures: the LSTM's mean MASE over its
    seeds, and the references' (benchmarks/results_panel_cpu.json)."""
    rows = _results("panel")["rows"]
    mase = {
        model: f"{np.mean([r['mase'] for r in rows if r['model'] == model]):.2f}"
        for model in ("lstm", "drift", "theta", "ets", "ridge")
    }
    assert (
        f"181 scored {mase['lstm']} mean MASE against the random walk with drift's "
        f"{mase['drift']}, Theta's {mase['theta']} and Ridge's {mase['ridge']} on the same "
        "windows"
    ) in _prose(ROOT / "README.md")
    page = _prose(DOCS / "user_guide" / "panels.rst")
    assert (
        f"below the random walk with drift ({mase['drift']}, the strongest statistical "
        f"reference here), Theta ({mase['theta']}) and ETS ({mase['ets']}), and a little "
        f"below Ridge on the same windows ({mase['ridge']})"
    ) in page


def test_the_ragged_speed_figures_are_the_results_files():
    """The performance page's table of ragged-to-equal time ratios is the results
    file's, and the README's sentence states the table's range: every fit within its
    figure, every prediction between its two, and no looser."""
    results = _results("ragged")
    text = (DOCS / "user_guide" / "performance.rst").read_text()
    section = text[text.index("Sequences of different lengths") : text.index("\nThreads\n")]
    table = re.findall(r"   \* - .*\n     - (\d\.\d\d)x\n     - (\d\.\d\d)x\n", section)
    workloads = ["lstm", "gru-2-layers", "lstm-bidir", "gru-bidir-2-layers"]
    assert table == [
        (f"{results[w]['fit']['ratio']:.2f}", f"{results[w]['predict']['ratio']:.2f}")
        for w in workloads
    ]
    fit = [float(f) for f, _ in table]
    predict = [float(p) for _, p in table]
    sentence = re.search(
        r"train within (\d\.\d+)x and predict within (\d\.\d+)-(\d\.\d+)x of "
        "equal-length ones",
        _prose(ROOT / "README.md"),
    )
    assert sentence, "the README no longer states the ragged sets' speed"
    fit_bound, low, high = (float(v) for v in sentence.groups())
    assert max(fit) <= fit_bound and low <= min(predict) and max(predict) <= high
    assert (fit_bound, low, high) == (max(fit), min(predict), max(predict))


def test_the_sequence_regression_tables_are_the_results_files():
    """ "How the defaults were chosen" shows the sequence-regression benchmark's table and
    the study of both suites as its script prints them from the results files."""
    bench = _benchmark("bench_sequence")
    results = _results("sequence")
    page = (DOCS / "user_guide" / "defaults.rst").read_text()
    run = results["sequence_defaults"]
    assert bench.rst(run["table"], run["cells"]) in page
    assert bench.study_rst(results, _results("quality")) in page


def test_the_seasonal_search_figures_are_the_results_files():
    bench = _benchmark("bench_seasonal")
    text = _prose(DOCS / "user_guide" / "defaults.rst")
    assert bench.summary(_results("seasonal")) in text
