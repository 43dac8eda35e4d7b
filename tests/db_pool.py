"""A fresh seeded database per test, cheaply on PostgreSQL too.

On SQLite a fresh database is a file copy of the template (well under a millisecond).
On PostgreSQL, `CREATE DATABASE … TEMPLATE` costs 0.2-0.5 s of server CPU and
`DROP DATABASE … WITH (FORCE)` waits 0.1 s per connection still open; over the suite's
~350 databases that was about two minutes of a serial run. Here a database a test has
finished with is given to the next test instead, put back exactly to the template's
state:

* whatever the test left connected to it is ended (as `DROP … WITH (FORCE)` did), and
  it is renamed to a new unique name: `ALTER DATABASE … RENAME` fails if anything is
  connected, and from then on nothing left over from the last test can reach it by the
  name it knew (each test still gets a database no other test has seen by its name);
* its schema must be the template's: a stamp of the system catalogs' rows describing
  user objects (their oid and xmin, as any DDL or grant writes new catalog rows; for
  pg_class, the rows' contents) must be the one recorded after the last reset, or else
  the schema's definitions (schemas, relations, columns, defaults, constraints,
  indexes, sequences, triggers, rules, policies, functions, types, extensions, large
  objects, prepared transactions, database settings) are compared with the template's;
  any difference, or any error while resetting, and the database is dropped and the
  test gets a new clone, as before;
* every table whose live rows are not the ones left by the last reset (each row's
  physical position `ctid` and creating transaction `xmin`: an insert, update or delete
  changes them, even an update to the same values) is truncated, with the tables
  referring to it, and reloaded by COPY with the template's rows in their order; every
  sequence is set back to the template's value.

The template itself is rewritten once the same way (truncate, COPY back), so a clone
and a reset database hold the same rows at the same places, in the same order.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from storage.db_templates import DatabaseTemplate

# What a test could change in a database besides table rows and sequence values, by
# names and definitions (compared when the cheaper stamp below differs).
_USER_NS = "SELECT oid FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
_SCHEMA_FINGERPRINT = f"""
SELECT coalesce(string_agg(item, E'\\n' ORDER BY item), '') FROM (
    SELECT 'schema ' || nspname || ' ' || coalesce(nspacl::text, '')
      FROM pg_namespace WHERE oid IN ({_USER_NS})
    UNION ALL
    SELECT 'rel ' || c.oid::regclass::text || ' ' || c.relkind::text || ' ' || c.relpersistence::text
           || ' ' || c.relrowsecurity || ' ' || coalesce(c.relacl::text, '')
           || ' ' || coalesce(c.reloptions::text, '')
      FROM pg_class c WHERE c.relnamespace IN ({_USER_NS})
    UNION ALL
    SELECT 'col ' || a.attrelid::regclass::text || '.' || a.attname || ' '
           || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' '
           || a.attidentity::text || a.attgenerated::text || ' ' || a.attnum || ' '
           || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE c.relnamespace IN ({_USER_NS}) AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'con ' || conrelid::regclass::text || ' ' || conname || ' '
           || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace IN ({_USER_NS})
    UNION ALL
    SELECT 'idx ' || pg_get_indexdef(i.indexrelid)
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE c.relnamespace IN ({_USER_NS})
    UNION ALL
    SELECT 'seq ' || seqrelid::regclass::text || ' ' || seqtypid::regtype::text || ' '
           || seqstart || ' ' || seqincrement || ' ' || seqmax || ' ' || seqmin || ' '
           || seqcache || ' ' || seqcycle
      FROM pg_sequence
    UNION ALL
    SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text
      FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT 'rule ' || ev_class::regclass::text || ' ' || rulename
      FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
     WHERE c.relnamespace IN ({_USER_NS})
    UNION ALL
    SELECT 'policy ' || polrelid::regclass::text || ' ' || polname FROM pg_policy
    UNION ALL
    SELECT 'proc ' || oid::regprocedure::text FROM pg_proc WHERE pronamespace IN ({_USER_NS})
    UNION ALL
    SELECT 'type ' || oid::regtype::text FROM pg_type WHERE typnamespace IN ({_USER_NS})
    UNION ALL
    SELECT 'enum ' || enumtypid::regtype::text || ' ' || enumlabel || ' ' || enumsortorder
      FROM pg_enum
    UNION ALL
    SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
    UNION ALL
    SELECT 'event trigger ' || evtname FROM pg_event_trigger
    UNION ALL
    SELECT 'publication ' || pubname FROM pg_publication
    UNION ALL
    SELECT 'large objects ' || count(*) FROM pg_largeobject_metadata
    UNION ALL
    SELECT 'prepared ' || gid FROM pg_prepared_xacts WHERE database = current_database()
    UNION ALL
    SELECT 'setting ' || coalesce(array_to_string(s.setconfig, ','), '')
      FROM pg_db_role_setting s JOIN pg_database db ON db.oid = s.setdatabase
     WHERE db.datname = current_database()
    UNION ALL
    SELECT 'database ' || datallowconn || ' ' || datconnlimit || ' ' || coalesce(datacl::text, '')
      FROM pg_database WHERE datname = current_database()
) AS fingerprint(item)
"""
_TABLES = f"""
SELECT c.oid::regclass::text FROM pg_class c
 WHERE c.relnamespace IN ({_USER_NS}) AND c.relkind IN ('r', 'p')
"""
_SEQUENCES = f"""
SELECT c.oid::regclass::text FROM pg_class c
 WHERE c.relnamespace IN ({_USER_NS}) AND c.relkind = 'S' ORDER BY 1
"""
_FOREIGN_KEYS = f"""
SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
 WHERE contype = 'f' AND connamespace IN ({_USER_NS})
"""


# The catalog rows that describe user objects (oid >= 16384), keyed for a stable order;
# None: the whole catalog (small ones, or user rows under lower oids, e.g. `public`).
# pg_class is stamped by content instead, leaving out what TRUNCATE rewrites (the file
# node, the size estimates, the freeze horizons), so a reset leaves the stamp as it was.
_PG_CLASS = (
    "(SELECT coalesce(string_agg(row(oid, relname, relnamespace, reltype, reloftype, relowner,"
    " relam, reltablespace, reltoastrelid, relhasindex, relisshared, relpersistence, relkind,"
    " relnatts, relchecks, relhasrules, relhastriggers, relhassubclass, relrowsecurity,"
    " relforcerowsecurity, relispopulated, relreplident, relispartition, relrewrite, relacl,"
    " reloptions)::text, ',' ORDER BY oid), '') FROM pg_class WHERE oid >= 16384)"
)
_CATALOGS = (
    ("pg_namespace", "oid", None),
    ("pg_attribute", "attrelid::text || '.' || attnum", "attrelid"),
    ("pg_attrdef", "oid", "oid"),
    ("pg_constraint", "oid", "oid"),
    ("pg_index", "indexrelid", "indexrelid"),
    ("pg_sequence", "seqrelid", "seqrelid"),
    ("pg_trigger", "oid", "oid"),
    ("pg_rewrite", "oid", "oid"),
    ("pg_policy", "oid", "oid"),
    ("pg_proc", "oid", "oid"),
    ("pg_type", "oid", "oid"),
    ("pg_enum", "oid", "oid"),
    ("pg_extension", "oid", None),
    ("pg_event_trigger", "oid", None),
    ("pg_publication", "oid", None),
    ("pg_largeobject_metadata", "oid", None),
)
_DATABASE_STATE = (
    "(SELECT coalesce(string_agg(array_to_string(setconfig, ','), ';'), '')"
    "   FROM pg_db_role_setting s JOIN pg_database db ON db.oid = s.setdatabase"
    "  WHERE db.datname = current_database())",
    "(SELECT datallowconn::text || ' ' || datconnlimit || ' ' || coalesce(datacl::text, '')"
    "   FROM pg_database WHERE datname = current_database())",
    "(SELECT count(*)::text FROM pg_prepared_xacts WHERE database = current_database())",
)


def _stamps_sql(tables: list[str]) -> str:
    """One row: the schema's stamp, then one stamp per table (its live rows' places and
    creating transactions, in physical order)."""
    catalogs = [
        f"(SELECT coalesce(string_agg({key}::text || ':' || xmin::text, ',' ORDER BY {key}), '')"
        f" FROM {catalog}{f' WHERE {column} >= 16384' if column else ''})"
        for catalog, key, column in _CATALOGS
    ]
    schema = f"md5(concat_ws('|', {', '.join([_PG_CLASS, *catalogs, *_DATABASE_STATE])}))"
    rows = [
        f"(SELECT coalesce(string_agg(ctid::text || ':' || xmin::text, ',' ORDER BY ctid), '')"
        f" FROM {table})"
        for table in tables
    ]
    return "SELECT " + ", ".join([schema, *(f"md5({row})" for row in rows)])


def _rows_stamp(ctids: list[str], xid: str) -> str:
    """What `_stamps_sql` gives for a table whose rows were all written by transaction
    `xid` at the places `ctids`."""
    return hashlib.md5(",".join(f"{ctid}:{xid}" for ctid in ctids).encode()).hexdigest()


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _dependency_order(tables: list[str], foreign_keys: list[tuple[str, str]]) -> list[str]:
    """Referenced tables before the tables referring to them (a COPY of a table that
    refers to itself is checked at the end of the statement, so that needs no order)."""
    needs: dict[str, set[str]] = {table: set() for table in tables}
    for child, parent in foreign_keys:
        if child != parent and child in needs and parent in needs:
            needs[child].add(parent)
    order: list[str] = []
    done: set[str] = set()

    def visit(table: str, path: tuple[str, ...]) -> None:
        if table in done:
            return
        if table in path:
            raise ValueError(f"foreign keys form a cycle through {table}")
        for parent in sorted(needs[table]):
            visit(parent, (*path, table))
        done.add(table)
        order.append(table)

    for table in sorted(tables):
        visit(table, ())
    return order


@dataclass(frozen=True)
class _Stamps:
    schema: str
    tables: tuple[str, ...]  # in _Snapshot.tables order


@dataclass
class _Snapshot:
    """The template's state, as a reset restores it."""

    fingerprint: str  # of the schema's definitions
    tables: list[str]  # in dependency order
    rows: dict[str, bytes]  # table -> COPY (FORMAT BINARY) data, for tables with rows
    sequences: dict[str, tuple[int, bool]] = field(default_factory=dict)
    referrers: dict[str, set[str]] = field(default_factory=dict)  # table -> tables with FKs to it
    ctids: dict[str, list[str]] = field(default_factory=dict)  # table -> its rows' places
    stamps: _Stamps = _Stamps("", ())  # the template's (so a new clone's)

    def with_referrers(self, tables: list[str]) -> list[str]:
        """`tables` and every table referring to them, in dependency order (TRUNCATE
        must empty those together)."""
        wanted, todo = set(tables), list(tables)
        while todo:
            for child in self.referrers.get(todo.pop(), ()):
                if child not in wanted:
                    wanted.add(child)
                    todo.append(child)
        return [table for table in self.tables if table in wanted]

    def read_stamps(self, conn: psycopg.Connection[Any]) -> _Stamps:
        row = conn.execute(_stamps_sql(self.tables)).fetchone()
        assert row is not None
        return _Stamps(str(row[0]), tuple(str(value) for value in row[1:]))


class TestDatabases:
    """`fresh()` a database holding the template's contents, `release()` it after the
    test. On SQLite: a copy of the template file each time, deleted after."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, template: DatabaseTemplate) -> None:
        self.template = template
        self.reused = 0
        self.cloned = 0
        self._admin: psycopg.Connection[Any] | None = None
        self._snapshot: _Snapshot | None = None
        self._in_use: dict[str, _Stamps] = {}  # name -> stamps after its last reset
        self._idle: list[tuple[str, _Stamps]] = []  # released, not yet reset
        if template.server_url:
            self._admin = psycopg.connect(_libpq(template.server_url), autocommit=True)
            try:
                self._snapshot = self._take_snapshot()
            except ValueError:  # foreign keys in a cycle: no reset, a clone for every test
                self._snapshot = None

    # -- the fixture's interface -----------------------------------------------------------

    def fresh(self) -> str:
        if self._admin is None:
            return self.template.fresh()
        server = make_url(self.template.server_url or "")
        while self._idle:  # (only when a reset is possible)
            name, expected = self._idle.pop()
            new = f"shequ_t_{uuid.uuid4().hex[:10]}"
            self._wait_disconnected(name)
            try:
                # Fails (after PostgreSQL's own 5 s wait) if anything is still connected;
                # from then on only the new name reaches it.
                self._admin.execute(f'ALTER DATABASE "{name}" RENAME TO "{new}"')
            except psycopg.Error:
                self._drop(name)
                continue
            url = server.set(database=new).render_as_string(hide_password=False)
            stamps = self._reset(url, expected)
            if stamps is None:
                self._drop(new)
                continue
            self._in_use[new] = stamps
            self.reused += 1
            return url
        url = self.template.fresh()
        if self._snapshot is not None:
            self._in_use[make_url(url).database or ""] = self._snapshot.stamps
        self.cloned += 1
        return url

    def release(self, url: str) -> None:
        if self._admin is None:
            self.template.drop(url)
            return
        name = make_url(url).database or ""
        expected = self._in_use.pop(name, None)
        if expected is None:
            self._drop(name)
            return
        # Whatever the test left connected goes, as with DROP DATABASE … WITH (FORCE).
        # Not waited for here: the backends are gone by the next test's `fresh`.
        self._admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        self._idle.append((name, expected))

    def close(self) -> None:
        if self._admin is None:
            return
        for name in [*(name for name, _ in self._idle), *self._in_use]:
            self._drop(name)
        self._idle.clear()
        self._in_use.clear()
        self._admin.close()

    # -- PostgreSQL ------------------------------------------------------------------------

    def _wait_disconnected(self, name: str, timeout: float = 5.0) -> None:
        """Until the backends ended by `release` are gone (PostgreSQL's own wait in
        ALTER DATABASE polls every 100 ms; this, every 2 ms)."""
        assert self._admin is not None
        deadline = time.monotonic() + timeout
        query = "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE datname = %s)"
        while _scalar(self._admin, query, (name,)) and time.monotonic() < deadline:
            time.sleep(0.002)

    def _drop(self, name: str) -> None:
        assert self._admin is not None
        self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _take_snapshot(self) -> _Snapshot:
        """Read the template's rows and sequences, and rewrite its tables the way a reset
        writes them (so a clone and a reset database hold their rows at the same places)."""
        with psycopg.connect(_libpq(self.template.url)) as conn:
            tables = [row[0] for row in conn.execute(_TABLES)]
            foreign_keys = [(row[0], row[1]) for row in conn.execute(_FOREIGN_KEYS)]
            order = _dependency_order(tables, foreign_keys)
            rows: dict[str, bytes] = {}
            with conn.cursor() as cur:
                for table in order:
                    if _scalar(conn, f"SELECT EXISTS (SELECT FROM {table})"):
                        with cur.copy(f"COPY {table} TO STDOUT (FORMAT BINARY)") as copy:
                            rows[table] = b"".join(bytes(chunk) for chunk in copy)
            sequences: dict[str, tuple[int, bool]] = {}
            for (sequence,) in conn.execute(_SEQUENCES).fetchall():
                value, called = conn.execute(
                    f"SELECT last_value, is_called FROM {sequence}"
                ).fetchone()  # type: ignore[misc]
                sequences[sequence] = (int(value), bool(called))
            referrers: dict[str, set[str]] = {}
            for child, parent in foreign_keys:
                referrers.setdefault(parent, set()).add(child)
            snapshot = _Snapshot("", order, rows, sequences, referrers)
            _restore(conn, snapshot, list(rows))
            conn.commit()
            for table in order:
                snapshot.ctids[table] = [
                    str(ctid)
                    for (ctid,) in conn.execute(
                        f"SELECT t.ctid::text FROM {table} AS t ORDER BY t.ctid"
                    )
                ]
            snapshot.fingerprint = _digest(str(_scalar(conn, _SCHEMA_FINGERPRINT)))
            snapshot.stamps = snapshot.read_stamps(conn)
        return snapshot

    def _reset(self, url: str, expected: _Stamps) -> _Stamps | None:
        """Put the database back to the template's state: its stamps after the reset, or
        None when it cannot be."""
        snapshot = self._snapshot
        if snapshot is None:
            return None
        try:
            with psycopg.connect(_libpq(url)) as conn:
                conn.execute("SET lock_timeout = '10s'")
                found = snapshot.read_stamps(conn)
                if found.schema != expected.schema:
                    definitions = _digest(str(_scalar(conn, _SCHEMA_FINGERPRINT)))
                    if definitions != snapshot.fingerprint:
                        return None
                dirty = [
                    table
                    for table, now, then in zip(
                        snapshot.tables, found.tables, expected.tables, strict=True
                    )
                    if now != then
                ]
                restored = set(_restore(conn, snapshot, dirty))
                xid = str(_scalar(conn, "SELECT pg_current_xact_id()::xid::text"))
                conn.commit()
            # What the next reset will find if nothing touches the database meanwhile;
            # a wrong guess would only make it restore a table again, or compare the
            # schema's definitions.
            return _Stamps(
                found.schema,
                tuple(
                    _rows_stamp(snapshot.ctids[table], xid) if table in restored else stamp
                    for table, stamp in zip(snapshot.tables, found.tables, strict=True)
                ),
            )
        except psycopg.Error:
            return None


def _scalar(conn: psycopg.Connection[Any], sql: str, params: tuple[Any, ...] = ()) -> Any:
    row = conn.execute(sql, params or None).fetchone()
    return row[0] if row else None


def _restore(conn: psycopg.Connection[Any], snapshot: _Snapshot, tables: list[str]) -> list[str]:
    """Empty `tables` and the tables referring to them, reload the template's rows into
    them (those tables are returned); set every sequence to the template's value."""
    tables = snapshot.with_referrers(tables)
    if tables:
        conn.execute("TRUNCATE " + ", ".join(tables))
        with conn.cursor() as cur:
            for table in tables:
                data = snapshot.rows.get(table)
                if data is not None:
                    with cur.copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy:
                        copy.write(data)
    if snapshot.sequences:
        calls = ", ".join("setval(%s, %s, %s)" for _ in snapshot.sequences)
        values = [
            v for name, (last, called) in snapshot.sequences.items() for v in (name, last, called)
        ]
        conn.execute(f"SELECT {calls}", values)
    return tables
