"""``python -m sklearn_rnn [PNG]``: the demo, forecasting the shipped series."""

import sys

from ._demo import main

if __name__ == "__main__":
    main(*sys.argv[1:2])
