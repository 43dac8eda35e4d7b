"""民事直说: problem reports from residents — report, photos, status, cancel, rating."""

from __future__ import annotations

from handlers.base import Handler


def report_handlers() -> list[Handler]:
    """In priority order: answers to our own questions first, then new intents."""
    from handlers.reports.photos import ReportPhotoHandler
    from handlers.reports.rating import (
        FollowupHandler,
        RatingHandler,
        ReasonHandler,
        StrayRatingHandler,
    )
    from handlers.reports.report import ReportProblemHandler
    from handlers.reports.status import StatusQueryHandler

    return [
        ReasonHandler(),
        FollowupHandler(),
        ReportPhotoHandler(),
        ReportProblemHandler(),
        RatingHandler(),
        StrayRatingHandler(),
        StatusQueryHandler(),
    ]
