"""SQLite's writers of one process queue at the write gate: none is lost, none waits for
a transaction that already ended (commit, rollback, or a session closed half-way)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import Engine, text

from storage.db import make_engine


def engine_with_table(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, who TEXT)"))
    return engine


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM note")).scalar_one())


def test_a_burst_of_writers_all_get_through(tmp_path: Path) -> None:
    engine = engine_with_table(tmp_path)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(20):
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO note (who) VALUES (:w)"), {"w": f"{n}-{i}"})
                    conn.execute(text("SELECT count(*) FROM note")).scalar_one()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert count(engine) == 600
    engine.dispose()


def test_a_rolled_back_or_abandoned_writer_lets_the_next_one_in(tmp_path: Path) -> None:
    engine = engine_with_table(tmp_path)
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO note (who) VALUES ('gone')"))
        conn.rollback()
    conn = engine.connect()
    conn.execute(text("INSERT INTO note (who) VALUES ('abandoned')"))
    conn.close()  # back to the pool without commit: rolled back there

    done = threading.Event()

    def other() -> None:
        with engine.begin() as c:
            c.execute(text("INSERT INTO note (who) VALUES ('next')"))
        done.set()

    started = time.monotonic()
    thread = threading.Thread(target=other)
    thread.start()
    assert done.wait(5)
    thread.join()
    assert time.monotonic() - started < 2
    with engine.connect() as c:
        assert [r[0] for r in c.execute(text("SELECT who FROM note"))] == ["next"]
    engine.dispose()
