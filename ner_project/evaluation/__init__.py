"""Scores of a trained pipeline on held-out data, the error analysis behind them, and
the report files and package meta that carry them."""
