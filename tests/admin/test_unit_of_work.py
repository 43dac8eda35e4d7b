"""Console actions end their unit of work in one place (`bot.deps.commit`), which also
hands the jobs they planned to the queue at once: a resident hears of a staff action
without waiting for the scheduler's next pass."""

from __future__ import annotations

import ast
from pathlib import Path

from redis import Redis
from rq import Queue
from sqlalchemy import select

from bot.runtime import Runtime
from storage.models import OutboxJob
from tests.admin.conftest import Console
from tests.conftest import WeChat
from tests.reports.conftest import report

ADMIN = Path(__file__).resolve().parents[2] / "admin"


def direct_commits() -> list[str]:
    found = []
    for path in sorted(ADMIN.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "commit_and_drain" or (isinstance(func, ast.Attribute) and name == "commit"):
                found.append(f"{path.relative_to(ADMIN.parent)}:{node.lineno}")
    return found


def direct_writes() -> list[str]:
    """Rows added or deleted, or fields set by name, in console code: state changes are
    storage services (storage/<feature>/), the console only calls them."""
    found = []
    for path in sorted(ADMIN.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            writes = isinstance(func, ast.Attribute) and func.attr in ("add", "add_all", "delete")
            on_session = writes and getattr(func.value, "id", "") == "session"  # type: ignore[union-attr]
            if on_session or getattr(func, "id", "") == "setattr":
                found.append(f"{path.relative_to(ADMIN.parent)}:{node.lineno}")
    return found


def test_console_code_changes_no_rows_itself() -> None:
    assert direct_writes() == []


def test_console_code_never_commits_by_itself() -> None:
    assert direct_commits() == []
    assert (ADMIN / "requests" / "actions.py").read_text(encoding="utf-8").count("commit(") >= 1


def test_a_resolved_request_tells_the_reporter_without_waiting_for_the_scheduler(
    wechat: WeChat, runtime: Runtime, redis: Redis, browser: Console
) -> None:
    request_id = report(wechat, "demo-wangnainai", "3号楼楼道灯坏了", runtime)
    with runtime.session_factory() as session:
        before = max(session.scalars(select(OutboxJob.id)), default=0)
    browser.login("admin")
    admin = browser
    assert admin.api_post(f"/admin/api/requests/{request_id}/claim").status_code == 200
    resolved = admin.api_post(f"/admin/api/requests/{request_id}/resolve", {"note": "换了新灯"})
    assert resolved.status_code == 200, resolved.text
    with runtime.session_factory() as session:
        planned = list(session.scalars(select(OutboxJob).where(OutboxJob.id > before)))
    assert planned, "resolving planned no message for the reporter"
    assert all(job.enqueued_at is not None for job in planned)
    queued = {
        job_id
        for name in {job.queue for job in planned}
        for job_id in Queue(name, connection=redis).job_ids
    }
    assert {f"outbox-{job.id}" for job in planned} <= queued
