"""Convert the M1 yearly series from aeon's wheel into the package's CSV file.

Run once, by hand; the result, ``sklearn_rnn/datasets/data/m1_yearly.csv.gz``, is
committed. The 181 yearly series of the M1 forecasting competition (Makridakis et al.
1982), in the Monash Time Series Forecasting Archive's version (Godahewa et al. 2021, CC
BY 4.0), ship in aeon's wheel in the archive's ``.tsf`` format::

    pip download aeon --no-deps -d /tmp/aeon
    python scripts/convert_m1_yearly.py /tmp/aeon/aeon-*.whl

One row per year of a series: its name, the year, and the value as written in the source.
"""

import csv
import gzip
import sys
import zipfile

MEMBER = "aeon/datasets/data/m1_yearly_dataset/m1_yearly_dataset.tsf"
OUTPUT = "sklearn_rnn/datasets/data/m1_yearly.csv.gz"


def read_tsf(text):
    """``(name, first year, values)`` of each series of a ``.tsf`` file."""
    series, reading = [], False
    for line in text.splitlines():
        if line.startswith("@data"):
            reading = True
        elif reading and line.strip():
            name, start, values = line.split(":", 2)
            series.append((name, int(start[:4]), values.split(",")))
    return series


def main(wheel):
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(MEMBER).decode()
    with gzip.open(OUTPUT, "wt", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["unique_id", "year", "value"])
        for name, first, values in read_tsf(text):
            for k, value in enumerate(values):
                writer.writerow([name, first + k, value])


if __name__ == "__main__":
    main(sys.argv[1])
