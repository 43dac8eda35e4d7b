"""docs/deploy.md's backup and restore, run for real: pg_dump of a live database,
pg_restore into a new one, and the records are there (PostgreSQL only)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from storage.db import make_engine, make_session_factory
from storage.migrate import alembic_config
from storage.models import Resident


def libpq_url(url: str) -> str:
    """What pg_dump understands: postgresql://… without SQLAlchemy's driver name."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_pg_dump_backup_restores_into_a_new_database(database_url: str, tmp_path: Path) -> None:
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url or not database_url.startswith("postgresql"):
        pytest.skip("backup and restore are PostgreSQL's (set TEST_DATABASE_URL)")
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    if not pg_dump or not pg_restore:
        pytest.skip("pg_dump/pg_restore are not installed (apt-get install postgresql-client)")

    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        session.add(Resident(openid="o-backup-check", name="备份测试居民"))
        session.commit()
    engine.dispose()

    dump = tmp_path / "shequ.dump"
    subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", f"--file={dump}", libpq_url(database_url)],
        check=True,
    )
    name = f"shequ_restore_{uuid.uuid4().hex[:8]}"
    server = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    restored_url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        subprocess.run(
            [pg_restore, "--no-owner", "--exit-on-error", f"--dbname={libpq_url(restored_url)}"]
            + [str(dump)],
            check=True,
        )
        restored = make_engine(restored_url)
        with make_session_factory(restored)() as session:
            name_back = session.scalar(
                select(Resident.name).where(Resident.openid == "o-backup-check")
            )
            demo_residents = session.scalar(
                select(Resident.id).where(Resident.openid == "demo-wangnainai")
            )
        with restored.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
        restored.dispose()
        assert name_back == "备份测试居民"
        assert demo_residents is not None
        heads = set(ScriptDirectory.from_config(alembic_config(restored_url)).get_heads())
        assert current == heads  # the restored copy needs no `shequ db upgrade`
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
