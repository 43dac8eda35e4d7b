"""Console fixtures: a browser-like HTTP client (keeps cookies, reads CSRF tokens from the
pages) against the real app served by `live_server`, plus ways to create hand-overs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import select

from bot.runtime import Runtime
from storage.events import record_event
from storage.models import Handover, Resident
from storage.seed import DEMO_PASSWORD
from storage.staff.models import AuditLog
from tests.conftest import InProcessApp, Server

TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class Console:
    """One staff member's browser."""

    def __init__(self, server: Server, client_ip: str | None = None) -> None:
        options: dict[str, object] = {"follow_redirects": False}
        if client_ip:
            options["client_ip"] = client_ip
        self.http = server.client(**options)
        self.csrf = ""

    def close(self) -> None:
        self.http.close()

    def try_login(self, username: str, password: str = DEMO_PASSWORD) -> httpx.Response:
        page = self.http.get("/admin/login")
        assert page.status_code == 200
        token = TOKEN_FIELD.search(page.text)
        assert token is not None
        return self.http.post(
            "/admin/login",
            data={
                "username": username,
                "password": password,
                "csrf_token": token.group(1),
            },
        )

    def login(self, username: str, password: str = DEMO_PASSWORD) -> Console:
        response = self.try_login(username, password)
        assert response.status_code == 303, response.text
        me = self.http.get("/admin/api/me")
        assert me.status_code == 200
        self.csrf = me.json()["csrf_token"]
        return self

    def post_form(self, path: str, **fields: str) -> httpx.Response:
        return self.http.post(path, data={"csrf_token": self.csrf, **fields})

    def api_post(self, path: str, json: object = None) -> httpx.Response:
        return self.http.post(path, json=json, headers={"X-CSRF-Token": self.csrf})


def signed_in(server: Server, username: str) -> Iterator[Console]:
    """The body of a fixture for one staff member's signed-in browser (closed at the end)."""
    console = Console(server).login(username)
    yield console
    console.close()


def signed_in_consoles(server: Server) -> Iterator[Callable[[str], Console]]:
    """The body of a `console` fixture: a function that signs a staff member in on a new
    browser; every browser is closed at the end."""
    made: list[Console] = []

    def login(username: str) -> Console:
        browser = Console(server).login(username)
        made.append(browser)
        return browser

    yield login
    for browser in made:
        browser.close()


@pytest.fixture
def browser(live_server: InProcessApp) -> Iterator[Console]:
    console = Console(live_server)
    yield console
    console.close()


@pytest.fixture
def open_console(live_server: InProcessApp) -> Iterator[Callable[[], Console]]:
    """Factory for more browsers (several staff at once); all closed at the end."""
    made: list[Console] = []

    def make() -> Console:
        console = Console(live_server)
        made.append(console)
        return console

    yield make
    for console in made:
        console.close()


def add_handover(runtime: Runtime, openid: str, text: str = "家里水管漏水，请网格员来看看") -> int:
    """A hand-over as the `human` handler records it, for residents with an address."""
    with runtime.session_factory() as session:
        resident = session.scalars(select(Resident).where(Resident.openid == openid)).one()
        grid_id = resident.household.unit.building.grid_id if resident.household else None
        handover = Handover(resident_id=resident.id, grid_id=grid_id, text=text)
        session.add(handover)
        session.flush()
        record_event(
            session, "handover", handover.id, actor=f"resident:{openid}", to_state="open", note=text
        )
        session.commit()
        return handover.id


def audit_rows(runtime: Runtime, action: str | None = None) -> list[AuditLog]:
    with runtime.session_factory() as session:
        query = select(AuditLog).order_by(AuditLog.id)
        if action:
            query = query.where(AuditLog.action == action)
        return list(session.scalars(query))
