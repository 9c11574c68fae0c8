"""Small real data sets that ship with the package, for demos, docs and tests."""

from ._loaders import load_airline, load_japanese_vowels, load_m1_yearly, load_sunspots

__all__ = ["load_airline", "load_japanese_vowels", "load_m1_yearly", "load_sunspots"]
