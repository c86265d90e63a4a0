#!/usr/bin/env python3
"""alembic's own autogenerate test cases, replayed as PostgreSQL schema pairs, judge `opdb diff`.

    python bench/alembic_corpus.py --opdb /tmp/opdb-corpus/opdb \
        --pg postgres://postgres@127.0.0.1:5432/postgres --work /tmp/corpus

What it does, in one run:

1. Set-up: a virtual environment (--venv, created if missing) with alembic, SQLAlchemy,
   psycopg2 and pytest from PyPI, and alembic's source distribution (which holds its tests/)
   unpacked under WORK/sdist. The script then runs again inside that environment.
2. Collect: alembic's autogenerate tests run with pytest on a scratch PostgreSQL database
   (`--dburi`, with the schemas `test_schema` and `test_schema_2` the suite expects and the
   extensions btree_gist and uuid-ossp its requirements look for). This file is also the pytest
   plugin (`-p alembic_corpus`): it follows every table, metadata and sequence the tests create
   in that database and drop again, and at each comparison alembic makes (`_produce_net_changes`,
   which `AutogenFixtureTest._fixture`, `AutogenTest`, `compare_metadata` and the other helpers
   all go through; and two PostgreSQL helpers that compare one table directly:
   `_compare_default_roundtrip` and `_expect_default`) it builds the pair: A = what the test
   had created in the database at that moment, B = the target metadata, each with SQLAlchemy's
   own `create_all` on a fresh database. A pair is kept only if both sides use no schema but the
   default one; a pair whose two normalized dumps equal an earlier pair's is a duplicate and is
   dropped at once. The tests then go on as usual (their own results do not matter).
3. Judge: per pair and per direction (A to B, B to A), as opdb's own judged tests do: `opdb diff`
   must find nothing exactly when the two normalized `pg_dump --schema-only` are equal; otherwise
   its `--sql` script, applied with psql to a copy of the source database, must make its dump
   equal to the other side's. Objects opdb lists as `// WARNING: not compared:` are allowed: a
   difference that only touches such objects counts as REPORTED. Two judges besides the dump,
   neither of them opdb: defaults written otherwise are one when a `DEFAULT VALUES` row gets the
   same values from both sides; and a script's result is right when it equals the target
   restored from its own pg_dump (PostgreSQL does not store its text of some checks as the same
   expression, so no script reaches the target's first dump).
4. Report: a summary on standard output and in WORK/summary.json, every judged pair in
   WORK/results.jsonl, and for every pair that is not EXACT a folder WORK/cases/<n>_<test>/ with
   the dumps of both sides, opdb's output both ways and the error or the first differing lines.
   Every database it made (prefix corpus_ac_) is dropped at the end.

Dumps are normalized: comment, blank, SET, set_config and \\restrict lines dropped, and the lines
inside each CREATE TABLE (columns, inline checks) compared as a sorted set, since opdb does not
model a column's position.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ALEMBIC_VERSION = "1.20.1"
REQUIREMENTS = [
    f"alembic=={ALEMBIC_VERSION}",
    "SQLAlchemy>=2.0,<2.1",
    "psycopg2-binary>=2.9",
    "pytest>8,<10",
]
DB_PREFIX = "corpus_ac_"
SUITE_DB = DB_PREFIX + "suite"
# alembic's tests that compare a database with metadata on PostgreSQL. test_suite.py brings in
# alembic/testing/suite: test_autogen_comments, _computed, _diffs, _fks, _identity (and the
# suite's op and environment tests, which compare nothing).
TEST_FILES = [
    "tests/test_autogen_check_constraints.py",
    "tests/test_autogen_composition.py",
    "tests/test_autogen_diffs.py",
    "tests/test_autogen_indexes.py",
    "tests/test_postgresql.py",
    "tests/test_suite.py",
]
SUITE_EXTENSIONS = ["btree_gist", "uuid-ossp"]
WARNING_NOT_COMPARED = "// WARNING: not compared:"
UNMODELLED_KINDS = [
    "materialized view", "foreign table", "partitioned table", "unlogged table",
    "exclusion constraint", "view", "partition", "inheritance", "type", "domain", "function",
    "procedure", "aggregate", "trigger", "rule", "policy", "statistics", "extension",
]


# ---------------------------------------------------------------------------------------------
# Shared helpers (the driver and the pytest plugin both use them).


def db_url(base: str, name: str, scheme: str | None = None) -> str:
    """`base` with its database replaced by `name` (and its scheme by `scheme`)."""
    parts = urlsplit(base)
    return urlunsplit((scheme or parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def sqla_url(base: str, name: str) -> str:
    return db_url(base, name, "postgresql+psycopg2")


def admin_connect(pg: str):
    import psycopg2

    conn = psycopg2.connect(db_url(pg, urlsplit(pg).path.lstrip("/") or "postgres", "postgresql"))
    conn.autocommit = True
    return conn


def create_db(admin, name: str, template: str = "template0") -> None:
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def drop_db(admin, name: str) -> None:
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_dump(pg: str, name: str) -> str:
    out = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", "--no-privileges",
         "--dbname", db_url(pg, name, "postgresql")],
        capture_output=True, text=True, timeout=300,
    )
    if out.returncode != 0:
        raise RuntimeError(f"pg_dump {name}: {out.stderr.strip()}")
    return out.stdout


_DROPPED_LINE = re.compile(r"^(--|SET |SELECT pg_catalog\.set_config|\\restrict|\\unrestrict)")
_CREATE_TABLE = re.compile(r"^CREATE (UNLOGGED |FOREIGN )?TABLE .*\($")


def normalize(dump: str) -> list[str]:
    """The dump's lines that matter, with each CREATE TABLE's inner lines as a sorted set."""
    lines = [l.rstrip() for l in dump.splitlines()]
    lines = [l for l in lines if l.strip() and not _DROPPED_LINE.match(l)]
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _CREATE_TABLE.match(line):
            out.append(line)
            j = i + 1
            body = []
            while j < len(lines) and not lines[j].startswith(")"):
                body.append(lines[j].rstrip(","))
                j += 1
            out.extend(sorted(body))
            if j < len(lines):
                out.append(lines[j])
            i = j + 1
            continue
        out.append(line)
        i += 1
    return out


def statements(norm: list[str]) -> list[str]:
    """Normalized lines grouped into statements (a statement ends with a line ending in ';')."""
    out, cur = [], []
    for line in norm:
        cur.append(line)
        if line.endswith(";"):
            out.append("\n".join(cur))
            cur = []
    if cur:
        out.append("\n".join(cur))
    return out


def short_test_name(nodeid: str) -> str:
    """tests/test_x.py::Class_postgresql+psycopg2_15_20::test_y[p] -> test_x.Class.test_y[p]."""
    parts = nodeid.split("::")
    if parts:
        parts[0] = Path(parts[0]).stem
    parts = [re.sub(r"_postgresql\+\w+_\d+_\d+$", "", p) for p in parts]
    return ".".join(parts)


# ---------------------------------------------------------------------------------------------
# The pytest plugin: loaded with `-p alembic_corpus` inside alembic's test run.


class _Collector:
    """Follows what the tests create in the suite database and records pairs at comparisons."""

    def __init__(self) -> None:
        import sqlalchemy as sa

        self.sa = sa
        self.work = Path(os.environ["CORPUS_WORK"])
        self.pg = os.environ["CORPUS_PG"]
        self.extensions = [e for e in os.environ.get("CORPUS_EXTENSIONS", "").split(",") if e]
        self.admin = admin_connect(self.pg)
        self.tracked: list[tuple[str, object, object]] = []
        self.rendering = False
        self.calls = 0
        self.pairs = 0
        self.seen: dict[str, int] = {}
        self.dumps = self.work / "dumps"
        self.dumps.mkdir(parents=True, exist_ok=True)
        self.events = open(self.work / "events.jsonl", "a")
        self.pairs_out = open(self.work / "pairs.jsonl", "a")
        self.orig: dict[str, object] = {}

    # -- following creations ------------------------------------------------------------------

    def install(self) -> None:
        from sqlalchemy import MetaData, Sequence, Table
        import alembic.autogenerate as autogenerate_pkg
        import alembic.autogenerate.compare as compare_mod

        c = self
        o = self.orig
        o["create_all"] = MetaData.create_all
        o["drop_all"] = MetaData.drop_all
        o["table_create"] = Table.create
        o["table_drop"] = Table.drop
        o["seq_create"] = Sequence.create
        o["seq_drop"] = Sequence.drop
        o["produce"] = compare_mod._produce_net_changes

        def create_all(self, bind, tables=None, checkfirst=True):
            if c.follows():
                c.track("metadata", self, list(tables) if tables is not None else None)
            return o["create_all"](self, bind, tables=tables, checkfirst=checkfirst)

        def drop_all(self, bind, tables=None, checkfirst=True):
            if not c.rendering:
                c.forget_metadata(self, tables)
            return o["drop_all"](self, bind, tables=tables, checkfirst=checkfirst)

        def table_create(self, bind, checkfirst=False):
            if c.follows():
                c.track("table", self, None)
            return o["table_create"](self, bind, checkfirst=checkfirst)

        def table_drop(self, bind, checkfirst=False):
            if not c.rendering:
                c.forget_table(self)
            return o["table_drop"](self, bind, checkfirst=checkfirst)

        def seq_create(self, bind, checkfirst=True):
            if c.follows():
                c.track("sequence", self, None)
            return o["seq_create"](self, bind, checkfirst=checkfirst)

        def seq_drop(self, bind, checkfirst=True):
            if not c.rendering:
                c.tracked = [e for e in c.tracked if e[1] is not self]
            return o["seq_drop"](self, bind, checkfirst=checkfirst)

        def produce(autogen_context, upgrade_ops):
            md = autogen_context.metadata
            targets = [] if md is None else (list(md) if isinstance(md, (list, tuple)) else [md])
            if md is not None:
                c.record(list(c.tracked), [("metadata", m, None) for m in targets], "compare")
            return o["produce"](autogen_context, upgrade_ops)

        MetaData.create_all = create_all
        MetaData.drop_all = drop_all
        Table.create = table_create
        Table.drop = table_drop
        Sequence.create = seq_create
        Sequence.drop = seq_drop
        compare_mod._produce_net_changes = produce
        autogenerate_pkg._produce_net_changes = produce

    def follows(self) -> bool:
        """Whether the creation being made is the test's: not one of ours (rendering), not
        alembic's own version table (created by alembic.runtime when a test runs migrations)."""
        if self.rendering:
            return False
        caller = sys._getframe(2).f_globals.get("__name__", "")
        return not caller.startswith("alembic.runtime")

    @staticmethod
    def owner(nodeid: str | None = None) -> str:
        """The test class (file::Class) a test belongs to."""
        if nodeid is None:
            nodeid = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" (", 1)[0]
        return nodeid.rsplit("::", 1)[0]

    def track(self, kind: str, obj, extra) -> None:
        self.tracked.append((kind, obj, extra, self.owner()))

    def new_test(self, nodeid: str) -> None:
        """What an earlier test class created and never dropped (in a transaction rolled back,
        say) is not this test's: forget it. A class's own setup (AutogenTest's) stays."""
        owner = self.owner(nodeid)
        self.tracked = [e for e in self.tracked if e[3] == owner]

    def forget_metadata(self, md, tables) -> None:
        if tables is not None:
            for t in tables:
                self.forget_table(t)
            return
        self.tracked = [
            e for e in self.tracked
            if not (e[1] is md or getattr(e[1], "metadata", None) is md)
        ]

    def forget_table(self, table) -> None:
        kept = []
        for kind, obj, extra, owner in self.tracked:
            if obj is table:
                continue
            if kind == "metadata" and table.metadata is obj:
                rest = [t for t in (extra if extra is not None else obj.sorted_tables)
                        if t is not table]
                kept.append((kind, obj, rest, owner))
                continue
            kept.append((kind, obj, extra, owner))
        self.tracked = kept

    def patch_test_helpers(self, items) -> None:
        """Two PostgreSQL helpers compare one table without `_produce_net_changes`."""
        from sqlalchemy import BigInteger, Column, MetaData, Sequence, Table

        c = self
        done = set()
        for item in items:
            cls = getattr(item, "cls", None)
            if cls is None:
                continue
            for klass in cls.__mro__:
                if klass in done:
                    continue
                if "_compare_default_roundtrip" in klass.__dict__:
                    done.add(klass)
                    orig = klass.__dict__["_compare_default_roundtrip"]

                    def roundtrip(self, type_, orig_default, alternate=None,
                                  diff_expected=None, _orig=orig):
                        alt = orig_default if alternate is None else alternate
                        ma, mb = MetaData(), MetaData()
                        Table("test", ma, Column("somecol", type_, server_default=orig_default))
                        Table("test", mb, Column("somecol", type_, server_default=alt))
                        seqs = [e for e in c.tracked if e[0] == "sequence"]
                        c.record(list(c.tracked) + [("metadata", ma, None)],
                                 seqs + [("metadata", mb, None)], "_compare_default_roundtrip")
                        return _orig(self, type_, orig_default, alternate, diff_expected)

                    klass._compare_default_roundtrip = roundtrip
                if "_expect_default" in klass.__dict__:
                    done.add(klass)
                    orig = klass.__dict__["_expect_default"]

                    def expect(self, c_expected, col, schema=None, seq=None, _orig=orig):
                        ma, mb = MetaData(), MetaData()
                        if seq is not None:
                            Sequence(seq.name, schema=seq.schema, metadata=ma)
                        Table("t", ma, col._copy(), schema=schema)
                        Table("t", mb, Column("x", BigInteger()), schema=schema)
                        a = [("metadata", ma, None)]
                        c.record(a, [], "_expect_default")
                        c.record(a, [("metadata", mb, None)], "_expect_default")
                        return _orig(self, c_expected, col, schema, seq)

                    klass._expect_default = expect

    # -- recording a pair -----------------------------------------------------------------------

    @staticmethod
    def _tables(entries):
        for kind, obj, extra, *_ in entries:
            if kind == "metadata":
                yield from (extra if extra is not None else obj.sorted_tables)
            elif kind == "table":
                yield obj

    def other_schemas(self, entries) -> set:
        found = set()
        for kind, obj, extra, *_ in entries:
            if kind == "sequence" and obj.schema:
                found.add(obj.schema)
            if kind == "metadata":
                if obj.schema:
                    found.add(obj.schema)
                for seq in obj._sequences.values():
                    if seq.schema:
                        found.add(seq.schema)
        for t in self._tables(entries):
            if t.schema:
                found.add(t.schema)
            for fk in t.foreign_keys:
                spec = fk._get_colspec()
                if isinstance(spec, str) and spec.count(".") >= 2:
                    found.add(spec.split(".")[0])
                elif getattr(fk, "column", None) is not None and fk.column.table.schema:
                    found.add(fk.column.table.schema)
            for col in t.columns:
                sch = getattr(col.type, "schema", None)
                if isinstance(sch, str) and sch:
                    found.add(sch)
        found.discard("public")
        return found

    def render(self, name: str, entries, extensions) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool
        from alembic.testing import config as tconfig

        create_db(self.admin, name)
        kw = {}
        length = tconfig.db.dialect.max_identifier_length
        if length != 63:
            kw["max_identifier_length"] = length
        eng = create_engine(sqla_url(self.pg, name), poolclass=NullPool, **kw)
        self.rendering = True
        try:
            if extensions:
                with eng.begin() as conn:
                    for ext in extensions:
                        conn.execute(text(f'CREATE EXTENSION IF NOT EXISTS "{ext}"'))
            for kind, obj, extra, *_ in entries:
                if kind == "metadata":
                    self.orig["create_all"](obj, eng, tables=extra, checkfirst=True)
                elif kind == "table":
                    self.orig["table_create"](obj, eng, checkfirst=True)
                elif kind == "sequence":
                    self.orig["seq_create"](obj, eng, checkfirst=True)
        finally:
            self.rendering = False
            eng.dispose()

    def record(self, a_entries, b_entries, helper: str) -> None:
        self.calls += 1
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" (", 1)[0]
        ev = {"call": self.calls, "test": test, "helper": helper}
        try:
            ev.update(self._record(a_entries, b_entries))
        except Exception as e:  # the harness must never stop the tests
            ev.update(status="harness_error", error=f"{type(e).__name__}: {e}",
                      trace=traceback.format_exc()[-2000:])
        self.events.write(json.dumps(ev) + "\n")
        self.events.flush()
        if ev.get("status") == "pair":
            self.pairs_out.write(json.dumps(ev) + "\n")
            self.pairs_out.flush()

    def _record(self, a_entries, b_entries) -> dict:
        other = self.other_schemas(a_entries) | self.other_schemas(b_entries)
        if other:
            return {"status": "other_schema", "schemas": sorted(other)}
        n = self.pairs + 1
        a, b = f"{DB_PREFIX}{n}_a", f"{DB_PREFIX}{n}_b"
        errors = {}
        extensions: list[str] = []
        for attempt in ([], self.extensions):
            errors = {}
            extensions = attempt
            for side, name, entries in (("A", a, a_entries), ("B", b, b_entries)):
                try:
                    self.render(name, entries, attempt)
                except Exception as e:
                    errors[side] = f"{type(e).__name__}: {str(e).strip().splitlines()[0]}"
            if not errors or not self.extensions:
                break
        if errors:
            drop_db(self.admin, a)
            drop_db(self.admin, b)
            return {"status": "create_all_failed", "errors": errors}
        dump_a, dump_b = pg_dump(self.pg, a), pg_dump(self.pg, b)
        key = hashlib.sha256(
            ("\n".join(normalize(dump_a)) + "\0" + "\n".join(normalize(dump_b))).encode()
        ).hexdigest()
        if key in self.seen:
            drop_db(self.admin, a)
            drop_db(self.admin, b)
            return {"status": "duplicate", "of": self.seen[key]}
        self.pairs = n
        self.seen[key] = n
        (self.dumps / f"{n}_A.sql").write_text(dump_a)
        (self.dumps / f"{n}_B.sql").write_text(dump_b)
        return {"status": "pair", "n": n, "a": a, "b": b, "extensions": extensions}


_collector: _Collector | None = None


def pytest_collection_modifyitems(session, config, items):
    """Runs after alembic's conftest has set SQLAlchemy's testing plugin up and the test modules
    are imported: the moment to put the collector in place."""
    global _collector
    if "CORPUS_WORK" not in os.environ:
        return
    if _collector is None:
        _collector = _Collector()
        _collector.install()
    _collector.patch_test_helpers(items)


def pytest_runtest_setup(item):
    if _collector is not None:
        _collector.new_test(item.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _collector is not None:
        _collector.events.close()
        _collector.pairs_out.close()
        _collector.admin.close()


# ---------------------------------------------------------------------------------------------
# The driver.


def log(msg: str) -> None:
    print(f"[corpus] {msg}", flush=True)


def ensure_venv(venv: Path) -> Path:
    py = venv / "bin" / "python"
    if not py.exists():
        log(f"creating the virtual environment {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = subprocess.run(
        [str(py), "-c", "import alembic, sqlalchemy, psycopg2, pytest; print(alembic.__version__)"],
        capture_output=True, text=True,
    )
    if probe.returncode != 0 or probe.stdout.strip() != ALEMBIC_VERSION:
        log("installing " + " ".join(REQUIREMENTS))
        subprocess.run([str(py), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)
    return py


def ensure_sdist(py: Path, work: Path) -> Path:
    root = work / "sdist" / f"alembic-{ALEMBIC_VERSION}"
    if (root / "tests" / "conftest.py").exists():
        return root
    (work / "sdist").mkdir(parents=True, exist_ok=True)
    log(f"downloading alembic {ALEMBIC_VERSION}'s source distribution")
    subprocess.run(
        [str(py), "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps",
         f"alembic=={ALEMBIC_VERSION}", "-d", str(work / "sdist")],
        check=True,
    )
    archive = work / "sdist" / f"alembic-{ALEMBIC_VERSION}.tar.gz"
    with tarfile.open(archive) as tar:
        tar.extractall(work / "sdist", filter="data")
    return root


def drop_all_ours(admin) -> int:
    with admin.cursor() as cur:
        cur.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                    (DB_PREFIX.replace("_", r"\_") + "%",))
        names = [r[0] for r in cur.fetchall()]
    for name in names:
        drop_db(admin, name)
    return len(names)


def collect(args, work: Path, sdist: Path) -> None:
    import psycopg2

    admin = admin_connect(args.pg)
    create_db(admin, SUITE_DB)
    suite = psycopg2.connect(db_url(args.pg, SUITE_DB, "postgresql"))
    suite.autocommit = True
    with suite.cursor() as cur:
        cur.execute("CREATE SCHEMA test_schema")
        cur.execute("CREATE SCHEMA test_schema_2")
        extensions = []
        for ext in SUITE_EXTENSIONS:
            try:
                cur.execute(f'CREATE EXTENSION IF NOT EXISTS "{ext}"')
                extensions.append(ext)
            except psycopg2.Error as e:
                log(f"extension {ext} not available: {str(e).strip()}")
    suite.close()
    admin.close()
    env = dict(os.environ)
    env.update(
        CORPUS_WORK=str(work),
        CORPUS_PG=args.pg,
        CORPUS_EXTENSIONS=",".join(extensions),
        PYTHONPATH=str(Path(__file__).resolve().parent),
    )
    cmd = [sys.executable, "-m", "pytest", *args.tests,
           "--dburi", sqla_url(args.pg, SUITE_DB),
           "-p", "alembic_corpus", "-p", "no:cacheprovider", "-q", "-rN", "--tb=no"]
    log("collecting: " + " ".join(cmd[1:]))
    start = time.monotonic()
    with open(work / "pytest.log", "w") as out:
        proc = subprocess.run(cmd, cwd=sdist, env=env, stdout=out, stderr=subprocess.STDOUT,
                              timeout=args.pytest_timeout)
    tail = (work / "pytest.log").read_text().strip().splitlines()[-1:]
    log(f"alembic's tests ran in {time.monotonic() - start:.0f} s (exit {proc.returncode}): "
        + " ".join(tail))


class Judge:
    def __init__(self, args, work: Path):
        self.args = args
        self.work = work
        self.admin = admin_connect(args.pg)

    def url(self, name: str) -> str:
        return db_url(self.args.pg, name, "postgres")

    def opdb(self, src: str, dst: str, sql: bool) -> subprocess.CompletedProcess:
        cmd = [self.args.opdb, "diff", "--from", self.url(src), "--to", self.url(dst)]
        if sql:
            cmd.append("--sql")
        return subprocess.run(cmd, cwd=self.args.root, capture_output=True, text=True,
                              timeout=300)

    @staticmethod
    def warned_names(warnings: list[str]) -> list[str]:
        names = []
        for w in warnings:
            text = w[len(WARNING_NOT_COMPARED):].strip()
            text = re.sub(r"^--(from|to): ", "", text)
            text = text.split(": opdb cannot model", 1)[0]
            for kind in UNMODELLED_KINDS:
                if text.startswith(kind + " "):
                    text = text[len(kind) + 1:]
                    break
            name = re.split(r"\(| on ", text, 1)[0].strip()
            if name:
                names.append(name)
        return names

    @classmethod
    def uncovered(cls, left: list[str], right: list[str], warnings: list[str]) -> list[str]:
        """The statements on one side only that name no object opdb warned about."""
        a, b = statements(left), statements(right)
        differing = [s for s in a if s not in b] + [s for s in b if s not in a]
        names = cls.warned_names(warnings)

        def covered(stmt: str) -> bool:
            return any(re.search(r'(?<![\w$])"?' + re.escape(n) + r'"?(?![\w$])', stmt)
                       for n in names)

        return [s for s in differing if not covered(s)]

    def reproduced(self, n: int, dst: str, tag: str) -> list[str]:
        """`dst` as PostgreSQL stores pg_dump's own text of it: restored from its dump into a
        fresh database and dumped again. PostgreSQL does not store the text of some
        expressions as the same expression (a varchar `IN` list's casts move into the array),
        so this, not the first dump, is what any script written from `dst`'s catalog reaches."""
        copy = f"{DB_PREFIX}{n}_{tag}_repro"
        create_db(self.admin, copy)
        try:
            restored = subprocess.run(
                ["psql", "-v", "ON_ERROR_STOP=1", "-X", "-q", "-d", self.url(copy)],
                input=pg_dump(self.args.pg, dst), capture_output=True, text=True, timeout=300,
            )
            if restored.returncode != 0:
                return []
            return normalize(pg_dump(self.args.pg, copy))
        finally:
            drop_db(self.admin, copy)

    def default_rows(self, name: str) -> dict[str, str] | None:
        """Per table of database `name`, the row `INSERT ... DEFAULT VALUES` makes, as text
        (rolled back); None when a table takes no such row."""
        import psycopg2

        conn = psycopg2.connect(db_url(self.args.pg, name, "postgresql"))
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                            "ORDER BY tablename")
                tables = [r[0] for r in cur.fetchall()]
                rows = {}
                for t in tables:
                    try:
                        cur.execute(f'INSERT INTO "{t}" DEFAULT VALUES RETURNING *')
                        rows[t] = repr([None if v is None else str(v) for v in cur.fetchone()])
                    except psycopg2.Error:
                        return None
            return rows
        finally:
            conn.rollback()
            conn.close()

    def same_values(self, src: str, dst: str, src_norm, dst_norm) -> bool:
        """The dumps differ only in how column defaults are written, and a new row gets the
        same values from both: the defaults are one by value (what opdb compares)."""
        def without_defaults(lines):
            return [re.sub(r" DEFAULT .*?(?= NOT NULL|,?$)", "", l) for l in lines]
        if without_defaults(src_norm) != without_defaults(dst_norm):
            return False
        a, b = self.default_rows(src), self.default_rows(dst)
        return a is not None and a == b

    def direction(self, n: int, src: str, dst: str, src_norm, dst_norm, tag: str) -> dict:
        res: dict = {}
        out = self.opdb(src, dst, sql=False)
        res["ops"] = out.stdout + out.stderr
        if out.returncode != 0:
            res["verdict"] = "opdb_error"
            res["error"] = (out.stderr.strip().splitlines() or ["?"])[-1]
            return res
        lines = out.stdout.splitlines()
        warnings = [l for l in lines if l.startswith(WARNING_NOT_COMPARED)]
        body = [l for l in lines if not l.startswith("// WARNING")]
        no_diff = body == ["// No differences"] or (
            len(body) == 1 and body[0].startswith("// No differences in what opdb compares"))
        res["warnings"] = warnings
        equal = src_norm == dst_norm
        if equal:
            res["verdict"] = "ok" if no_diff else "false_diff"
            return res
        if no_diff and self.same_values(src, dst, src_norm, dst_norm):
            res["verdict"] = "ok"
            res["note"] = "the dumps differ only in how defaults are written; rows get one value"
            return res
        if no_diff:
            rest = self.uncovered(src_norm, dst_norm, warnings) if warnings else [None]
            res["verdict"] = "reported" if not rest else "missed"
            if rest and rest[0] is not None:
                res["uncovered"] = rest
            res["first_diff"] = first_diff(src_norm, dst_norm, f"{tag}:from", f"{tag}:to")
            return res
        script = self.opdb(src, dst, sql=True)
        res["sql"] = script.stdout + script.stderr
        if script.returncode != 0:
            res["verdict"] = "opdb_error"
            res["error"] = (script.stderr.strip().splitlines() or ["?"])[-1]
            return res
        copy = f"{DB_PREFIX}{n}_{tag}_copy"
        create_db(self.admin, copy, template=src)
        try:
            applied = subprocess.run(
                ["psql", "-v", "ON_ERROR_STOP=1", "-X", "-q", "-d", self.url(copy)],
                input=script.stdout, capture_output=True, text=True, timeout=300,
            )
            if applied.returncode != 0:
                res["verdict"] = "apply_failed"
                res["error"] = applied.stderr.strip()
                return res
            after = normalize(pg_dump(self.args.pg, copy))
        finally:
            drop_db(self.admin, copy)
        if after == dst_norm:
            res["verdict"] = "ok"
            return res
        if sorted(statements(after)) == sorted(statements(dst_norm)):
            res["verdict"] = "ok"
            res["note"] = "equal but for the order of statements in the dump"
            return res
        if after == self.reproduced(n, dst, tag):
            res["verdict"] = "ok"
            res["note"] = ("equal to the target as PostgreSQL stores pg_dump's own text of it "
                           "(its first dump cannot be reproduced by any script)")
            return res
        rest = self.uncovered(after, dst_norm, warnings)
        res["first_diff"] = first_diff(after, dst_norm, f"{tag}:after", f"{tag}:to")
        if warnings and not rest:
            res["verdict"] = "reported"
        else:
            res["verdict"] = "applied_diff"
            res["uncovered"] = rest
        return res


def first_diff(left: list[str], right: list[str], lname: str, rname: str, limit: int = 60) -> str:
    diff = list(difflib.unified_diff(left, right, lname, rname, n=2, lineterm=""))
    if len(diff) > limit:
        diff = diff[:limit] + [f"... ({len(diff) - limit} more lines)"]
    return "\n".join(diff)


WRONG = ("missed", "applied_diff", "false_diff")
RANK = ["missed", "applied_diff", "false_diff", "apply_failed", "opdb_error", "reported", "ok"]


def pair_verdict(fwd: str, back: str) -> str:
    if fwd == back == "ok":
        return "EXACT"
    worst = min((fwd, back), key=RANK.index)
    if worst == "reported":
        return "REPORTED"
    if worst in WRONG:
        return "WRONG"
    return {"apply_failed": "FAILED TO APPLY", "opdb_error": "OPDB ERROR"}[worst]


def judge(args, work: Path) -> dict:
    if not (work / "pairs.jsonl").exists():
        raise SystemExit(f"no pair was collected: see {work / 'pytest.log'}")
    pairs = [json.loads(l) for l in (work / "pairs.jsonl").read_text().splitlines() if l.strip()]
    events = [json.loads(l) for l in (work / "events.jsonl").read_text().splitlines() if l.strip()]
    judge = Judge(args, work)
    cases = work / "cases"
    results = []
    log(f"judging {len(pairs)} pairs")
    with open(work / "results.jsonl", "w") as out:
        for i, p in enumerate(pairs, 1):
            n = p["n"]
            dump_a = (work / "dumps" / f"{n}_A.sql").read_text()
            dump_b = (work / "dumps" / f"{n}_B.sql").read_text()
            na, nb = normalize(dump_a), normalize(dump_b)
            try:
                fwd = judge.direction(n, p["a"], p["b"], na, nb, "fwd")
                back = judge.direction(n, p["b"], p["a"], nb, na, "back")
            finally:
                drop_db(judge.admin, p["a"])
                drop_db(judge.admin, p["b"])
            verdict = pair_verdict(fwd["verdict"], back["verdict"])
            wrong_kind = min((fwd["verdict"], back["verdict"]), key=RANK.index)
            row = {"n": n, "test": p["test"], "helper": p["helper"],
                   "extensions": p.get("extensions", []), "equal_dumps": na == nb,
                   "verdict": verdict, "kind": wrong_kind, "fwd": fwd, "back": back}
            if verdict != "EXACT":
                name = re.sub(r"[^A-Za-z0-9_.\[\]=-]+", "_", short_test_name(p["test"]))[:120]
                folder = cases / f"{n}_{name}"
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "A.sql").write_text(dump_a)
                (folder / "B.sql").write_text(dump_b)
                (folder / "A_to_B.normalized.diff").write_text(first_diff(na, nb, "A", "B", 400))
                for tag, r in (("forward", fwd), ("back", back)):
                    (folder / f"{tag}.ops.txt").write_text(r.get("ops", ""))
                    if "sql" in r:
                        (folder / f"{tag}.sql").write_text(r["sql"])
                    lines = [f"verdict: {r['verdict']}"]
                    if r.get("note"):
                        lines.append(f"note: {r['note']}")
                    if r.get("error"):
                        lines += ["error:", r["error"]]
                    if r.get("uncovered"):
                        lines += ["statements on one side only, not named by a WARNING:"]
                        lines += [s for s in r["uncovered"][:20]]
                    if r.get("first_diff"):
                        lines += ["first differing lines:", r["first_diff"]]
                    (folder / f"{tag}.verdict.txt").write_text("\n".join(lines) + "\n")
                (folder / "test.txt").write_text(
                    f"test: {p['test']}\nhelper: {p['helper']}\n"
                    f"extensions created on both sides: {p.get('extensions') or 'none'}\n"
                    f"pair verdict: {verdict}\nforward: {fwd['verdict']}\nback: {back['verdict']}\n")
                row["folder"] = str(folder)
            results.append(row)
            out.write(json.dumps(row) + "\n")
            out.flush()
            if i % 25 == 0:
                log(f"  {i}/{len(pairs)}")
    statuses: dict[str, int] = {}
    for ev in events:
        statuses[ev["status"]] = statuses.get(ev["status"], 0) + 1
    count = lambda v: sum(1 for r in results if r["verdict"] == v)  # noqa: E731
    wrong = {k: sum(1 for r in results if r["verdict"] == "WRONG" and r["kind"] == k)
             for k in WRONG}
    summary = {
        "comparisons seen": len(events),
        "pairs collected (distinct)": len(results),
        "duplicates dropped": statuses.get("duplicate", 0),
        "EXACT": count("EXACT"),
        "REPORTED": count("REPORTED"),
        "WRONG": count("WRONG"),
        "WRONG missed": wrong["missed"],
        "WRONG false difference": wrong["false_diff"],
        "WRONG applied but different": wrong["applied_diff"],
        "FAILED TO APPLY": count("FAILED TO APPLY"),
        "OPDB ERROR": count("OPDB ERROR"),
        "skipped: create_all failed": statuses.get("create_all_failed", 0),
        "skipped: other schema": statuses.get("other_schema", 0),
        "harness errors": statuses.get("harness_error", 0),
        "pairs with identical sides": sum(1 for r in results if r["equal_dumps"]),
        "pairs built with extensions": sum(1 for r in results if r["extensions"]),
    }
    return summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--opdb", required=True, help="the opdb binary")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres",
                    help="a PostgreSQL URL to an existing database (for CREATE DATABASE)")
    ap.add_argument("--work", default="/tmp/corpus", help="working folder (cases/ go there)")
    ap.add_argument("--venv", default="/tmp/corpus-venv", help="virtual environment to use")
    ap.add_argument("--root", default=str(Path(__file__).resolve().parent.parent),
                    help="folder opdb runs in (holds alembic/opdb)")
    ap.add_argument("--tests", nargs="+", default=TEST_FILES,
                    help="alembic test files (relative to its sdist) to run")
    ap.add_argument("--pytest-timeout", type=int, default=3 * 3600)
    args = ap.parse_args()
    args.opdb = str(Path(args.opdb).resolve())
    work = Path(args.work).resolve()
    venv = Path(args.venv)
    py = ensure_venv(venv)
    if Path(sys.prefix).resolve() != venv.resolve():
        os.execv(str(py), [str(py), str(Path(__file__).resolve()), *sys.argv[1:]])
    import alembic
    import sqlalchemy

    sdist = ensure_sdist(py, work)
    for stale in ("events.jsonl", "pairs.jsonl", "results.jsonl", "summary.json"):
        (work / stale).unlink(missing_ok=True)
    for folder in ("cases", "dumps"):
        if (work / folder).exists():
            subprocess.run(["rm", "-rf", str(work / folder)], check=True)
    admin = admin_connect(args.pg)
    stale = drop_all_ours(admin)
    if stale:
        log(f"dropped {stale} databases left by an earlier run")
    start = time.monotonic()
    try:
        collect(args, work, sdist)
        summary = judge(args, work)
    finally:
        dropped = drop_all_ours(admin)
        log(f"dropped the {dropped} databases still there")
        admin.close()
    summary = {
        "alembic": alembic.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "opdb": args.opdb,
        "tests": args.tests,
        "seconds": round(time.monotonic() - start),
        **summary,
    }
    (work / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    width = max(len(k) for k in summary)
    for k, v in summary.items():
        print(f"{k:<{width}}  {v}")
    print(f"cases: {work / 'cases'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
