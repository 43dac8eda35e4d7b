"""Third-party imports that need care: jieba (with a narrowly scoped warnings
filter) and the traditional-to-simplified converter (OpenCC).

jieba 0.42 triggers two warnings at import time in some environments:

* ``import pkg_resources`` in ``jieba._compat`` warns "pkg_resources is
  deprecated as an API" with setuptools 67-80 (UserWarning/DeprecationWarning);
* its regexes use invalid escape sequences (``"\\."``), which warn at compile
  time when no ``.pyc`` is cached (DeprecationWarning on 3.11, SyntaxWarning
  on 3.12+).

Under ``pytest -W error`` either would abort the import, so both are ignored
here, only for the duration of the import and only by message.
"""

from __future__ import annotations

import logging
import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"pkg_resources is deprecated")
    warnings.filterwarnings("ignore", message=r"Deprecated call to `pkg_resources")
    warnings.filterwarnings("ignore", message=r"invalid escape sequence")
    import jieba  # noqa: E402

# jieba logs "Building prefix dict ..." at DEBUG to stderr; keep it quiet.
logging.getLogger("jieba").setLevel(logging.WARNING)

import opencc  # noqa: E402

_T2S = None


def t2s(text: str) -> str:
    """Traditional to Simplified Chinese with OpenCC's t2s profile."""
    global _T2S
    if _T2S is None:
        _T2S = opencc.OpenCC("t2s")
    return _T2S.convert(text)


__all__ = ["jieba", "t2s"]
