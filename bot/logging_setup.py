from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s",
    )
    # One line per request is already written by our webhook log.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
