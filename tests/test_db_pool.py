"""The suite's own database fixture (tests/db_pool.py): every test's database holds the
seeded template and nothing an earlier test left, on SQLite and on PostgreSQL (where
finished databases are reset and reused)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from storage.db import make_engine, make_session_factory
from storage.db_templates import DatabaseTemplate
from storage.models import Base, Resident
from tests.db_pool import TestDatabases


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[TestDatabases]:
    """A pool of its own, over a template of its own (the session's stays untouched)."""
    template = DatabaseTemplate(tmp_path / "db", os.environ.get("TEST_DATABASE_URL") or None)
    pool = TestDatabases(template)
    yield pool
    pool.close()
    template.close()


def contents(engine: Engine) -> dict[str, list[Any]]:
    """Every table's rows, in primary-key order and as stored (no ORDER BY)."""
    found: dict[str, list[Any]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            key = ", ".join(column.name for column in table.primary_key.columns) or "1"
            found[table.name] = [
                list(conn.execute(text(f'SELECT * FROM "{table.name}" ORDER BY {key}'))),
                list(conn.execute(text(f'SELECT * FROM "{table.name}"'))),
            ]
    return found


def new_resident_id(engine: Engine, openid: str) -> int:
    with make_session_factory(engine)() as session:
        resident = Resident(openid=openid)
        session.add(resident)
        session.commit()
        return resident.id


def test_a_database_holds_the_template_whatever_the_last_test_did(
    databases: TestDatabases,
) -> None:
    first_url = databases.fresh()
    first = make_engine(first_url)
    template = contents(first)
    first_id = new_resident_id(first, "o-left-behind")
    with first.begin() as conn:
        conn.execute(text("UPDATE resident SET name = name"))  # same values, new rows
        conn.execute(text("UPDATE household SET room = room WHERE id = 5"))
        conn.execute(text("DELETE FROM job_posting WHERE id = 2"))
    lingering = first.connect()  # a connection the test forgot
    lingering.execute(text("SELECT 1"))
    databases.release(first_url)

    for _ in range(2):
        url = databases.fresh()
        assert url != first_url
        engine = make_engine(url)
        assert contents(engine) == template
        assert new_resident_id(engine, "o-next") == first_id  # sequences as in the template
        engine.dispose()
        databases.release(url)

    lingering.invalidate()
    first.dispose()


def test_a_changed_schema_is_never_handed_on(databases: TestDatabases) -> None:
    url = databases.fresh()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE resident ADD COLUMN left_behind INTEGER"))
        conn.execute(text("CREATE TABLE left_behind (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    databases.release(url)

    engine = make_engine(databases.fresh())
    names = inspect(engine).get_table_names()
    columns = {column["name"] for column in inspect(engine).get_columns("resident")}
    engine.dispose()
    assert "left_behind" not in names and "left_behind" not in columns
