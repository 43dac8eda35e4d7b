"""Reading nlp's own packaged data files (the only I/O nlp does)."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_path(name: str) -> Path:
    return DATA_DIR / name


def read_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a UTF-8 text file in nlp/data."""
    out = []
    with open(data_path(name), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line)
    return out


def read_tsv(name: str) -> list[list[str]]:
    """Tab-separated rows (comments and blank lines skipped)."""
    return [[c.strip() for c in line.split("\t")] for line in read_lines(name)]
