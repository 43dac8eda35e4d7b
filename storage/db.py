"""Engines and sessions. Commits happen in the layer that owns a unit of work, never here."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets the web, worker and scheduler processes read while one writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
SQLITE_TIMEOUT = 10.0


class SQLiteWriteGate:
    """One writing transaction at a time per engine, the others waiting in line.

    SQLite has one writer; a connection that finds the database locked sleeps and retries
    (1, 2, 5 … 100 ms), so under a burst of short write transactions a waiter can lose
    for seconds. The gate is taken at a transaction's first write statement and given
    back right after its commit, rollback or close: threads of this process queue on a lock
    instead, and SQLite's own wait is left to writers of other processes."""

    def __init__(self, engine: Engine, timeout: float = SQLITE_TIMEOUT) -> None:
        self._lock = threading.Lock()
        self._timeout = timeout
        self._holders: set[int] = set()  # id() of DBAPI connections holding the gate
        dialect = engine.dialect
        for name in ("do_commit", "do_rollback", "do_close", "do_terminate"):
            setattr(dialect, name, self._releasing(getattr(dialect, name)))
        event.listen(engine, "before_cursor_execute", self._before_execute)

    def _before_execute(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip()[:7].upper().startswith(WRITES):
            return
        key = id(_raw(conn.connection))
        if key in self._holders:
            return
        if not self._lock.acquire(timeout=self._timeout):
            raise sqlite3.OperationalError("database is locked (waited for the write gate)")
        self._holders.add(key)

    def _releasing(self, end: Any) -> Any:
        def wrapped(dbapi_connection: Any) -> None:
            try:
                end(dbapi_connection)
            finally:
                key = id(_raw(dbapi_connection))
                if key in self._holders:
                    self._holders.discard(key)
                    self._lock.release()

        return wrapped


def _raw(connection: Any) -> Any:
    """The sqlite3 connection behind a pool proxy (or the connection itself)."""
    return getattr(connection, "dbapi_connection", None) or connection


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_TIMEOUT}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        SQLiteWriteGate(engine)
        return engine
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back otherwise."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
