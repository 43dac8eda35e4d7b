"""An officer's decision and a resident's withdrawal of the same application at once: one
wins, the other is told, nothing is overwritten."""

from __future__ import annotations

from collections.abc import Callable

from bot.runtime import Runtime
from storage.employment.service import decide, withdraw
from storage.events import history
from storage.models import JobApplication, JobPosting, JobSeeker, utcnow
from tests.admin.conftest import Console


def applied(runtime: Runtime, posting: JobPosting, name: str) -> int:
    with runtime.session_factory() as session:
        seeker = JobSeeker(name=name, source="survey", labour_status="available")
        session.add(seeker)
        session.flush()
        application = JobApplication(posting_id=posting.id, seeker_id=seeker.id, status="applied")
        session.add(application)
        session.commit()
        return application.id


def states(runtime: Runtime, application_id: int) -> tuple[str, str]:
    with runtime.session_factory() as session:
        application = session.get(JobApplication, application_id)
        assert application is not None
        return application.status, application.seeker.labour_status


def test_hire_read_before_the_resident_withdrew_is_refused(
    runtime: Runtime, add_posting: Callable[..., JobPosting], officer: Console
) -> None:
    posting = add_posting()
    application_id = applied(runtime, posting, "赵师傅")
    with runtime.session_factory() as officer_side, runtime.session_factory() as resident_side:
        seen_by_officer = officer_side.get(JobApplication, application_id)
        mine = resident_side.get(JobApplication, application_id)
        assert seen_by_officer is not None and mine is not None
        assert withdraw(resident_side, mine, "resident:x")
        resident_side.commit()
        error = decide(officer_side, seen_by_officer, "hired", "staff:jobs", utcnow())
        officer_side.rollback()
    assert error == "该报名刚刚变为“已撤回”，没有改结果，请刷新后再看"
    assert states(runtime, application_id) == ("withdrawn", "available")
    response = officer.api_post(
        f"/admin/api/employment/applications/{application_id}/decision", json={"decision": "hired"}
    )
    assert response.status_code == 409 and "已撤回" in response.json()["detail"]


def test_withdraw_read_before_the_hire_is_refused(
    runtime: Runtime, add_posting: Callable[..., JobPosting]
) -> None:
    posting = add_posting()
    application_id = applied(runtime, posting, "钱师傅")
    with runtime.session_factory() as officer_side, runtime.session_factory() as resident_side:
        mine = resident_side.get(JobApplication, application_id)
        seen_by_officer = officer_side.get(JobApplication, application_id)
        assert mine is not None and seen_by_officer is not None
        assert decide(officer_side, seen_by_officer, "hired", "staff:jobs", utcnow()) is None
        officer_side.commit()
        assert not withdraw(resident_side, mine, "resident:x")
        resident_side.commit()
        assert mine.status == "hired"  # what the chat layer tells the resident
    assert states(runtime, application_id) == ("hired", "employed")
    with runtime.session_factory() as session:
        assert [e.to_state for e in history(session, "job_application", application_id)] == [
            "hired"
        ]
