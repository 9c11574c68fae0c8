"""Convert the Japanese Vowels data set from aeon's wheel into the package's CSV file.

Run once, by hand; the result, ``sklearn_rnn/datasets/data/japanese_vowels.csv.gz``, is
committed. The data set (UCI Machine Learning Repository, CC BY 4.0; Kudo, Toyama and
Shimbo 1999) is not downloadable at run time here, but aeon ships it in its wheel in
sktime's ``.ts`` format, in the standard split (270 training, 370 test utterances)::

    pip download aeon --no-deps -d /tmp/aeon
    python scripts/convert_japanese_vowels.py /tmp/aeon/aeon-*.whl

One row per frame: the split, the utterance's number within it, the speaker (1-9), the
frame's number within the utterance, and the 12 LPC cepstrum coefficients as written
in the source (six decimals).
"""

import csv
import gzip
import io
import sys
import zipfile

MEMBER = "aeon/datasets/data/JapaneseVowels/JapaneseVowels_{}.ts"
OUTPUT = "sklearn_rnn/datasets/data/japanese_vowels.csv.gz"


def read_ts(text):
    """The cases of a ``.ts`` file: (label, list of 12 lists of values) each."""
    cases, in_data = [], False
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower() == "@data":
            in_data = True
            continue
        if not in_data:
            continue
        *dimensions, label = line.split(":")
        series = [dimension.split(",") for dimension in dimensions]
        if len(series) != 12 or len({len(s) for s in series}) != 1:
            raise ValueError(f"unexpected case: {len(series)} dimensions")
        cases.append((label, series))
    return cases


def main(wheel):
    with zipfile.ZipFile(wheel) as archive:
        splits = {
            split: read_ts(archive.read(MEMBER.format(split.upper())).decode())
            for split in ("train", "test")
        }
    assert [len(cases) for cases in splits.values()] == [270, 370]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["split", "utterance", "speaker", "frame"] + [f"c{i}" for i in range(1, 13)])
    for split, cases in splits.items():
        for utterance, (label, series) in enumerate(cases):
            for frame, values in enumerate(zip(*series, strict=True)):
                writer.writerow([split, utterance, label, frame, *values])
    with gzip.GzipFile(OUTPUT, "wb", mtime=0) as f:  # mtime 0: the same bytes every run
        f.write(buffer.getvalue().encode())
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1])
