"""Regenerate ``data/jieba_small.txt``: the most frequent words of jieba's own
dictionary (MIT licence, jieba 0.42.1).  A small main dictionary keeps the cold
start well under the 1.5 s budget (jieba's full 349k-word dictionary takes
about 1.3 s to load even from its cache); community vocabulary comes from
``data/userdict.txt`` and the lexicons on top of it.

Run: ``python -m nlp.build_dict`` (developer tool; not used at run time).
"""

from __future__ import annotations

import os

from nlp._deps import jieba
from nlp.data_files import data_path

MIN_FREQ = 100
MAX_LEN = 4


def main() -> None:
    src = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    kept = 0
    with (
        open(src, encoding="utf-8") as f,
        open(data_path("jieba_small.txt"), "w", encoding="utf-8") as out,
    ):
        for line in f:
            parts = line.split()
            if len(parts) < 2 or int(parts[1]) < MIN_FREQ or len(parts[0]) > MAX_LEN:
                continue
            out.write(f"{parts[0]} {parts[1]}\n")
            kept += 1
    print(f"kept {kept} words")


if __name__ == "__main__":
    main()
