"""``python -m sklearn_rnn [PNG]``: the demo, forecasting the shipped series."""

import argparse
import sys

from ._demo import main


def cli(argv):
    """Parse the command line (``--help`` prints usage and runs nothing), run the demo."""
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_rnn",
        description=(
            "The sklearn-rnn demo: an LSTM tuned by GridSearchCV on TimeSeriesSplit "
            "forecasts the two series that ship with the package one step ahead, beside "
            "the last value and Ridge on the same lags, and plots the holdout (about 20 s)."
        ),
    )
    parser.add_argument(
        "png",
        nargs="?",
        default="sklearn_rnn_forecast.png",
        help="where to write the figure (default: %(default)s)",
    )
    return main(parser.parse_args(argv).png)


if __name__ == "__main__":
    cli(sys.argv[1:])
