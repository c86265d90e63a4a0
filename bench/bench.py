"""opdb against alembic, side by side, on the same PostgreSQL databases.

Run through `bash bench/run`, which prepares the virtual environment this runs in. Every case
runs each tool once to warm up, then N times (median reported), as whole processes: wall time,
CPU time (user and system, children included, from wait4), peak resident memory and, in one
more run with `log_statement = 'all'` on the databases involved, the SQL statements the server
received (from its log). The results go to BENCHMARKS.md.

The synthetic cases run twice: on databases whose catalogs were never analyzed (as a new test
or CI database, or a copy restored for a rehearsal, is), and on copies analyzed with ANALYZE.
Autovacuum is turned off for the run (and restored after), so the fresh ones stay fresh.

The schemas:
- the opDB (61 tables): opdb's entities; for alembic, SQLAlchemy models generated from the same
  reference schema (tests/fixtures/opdb_schema.sql reflected once);
- synthetic schemas of 1,000 and 10,000 tables, 8 columns each with comments, a serial primary
  key, a unique constraint, an index and a foreign key to the table before, generated from one
  description as a SeaORM entity crate and as SQLAlchemy models.
"""

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rebuild_report import rebuild_block

import alembic
import psycopg2
import sqlalchemy

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
VENV = ROOT / "bench" / ".venv"
PG = "postgresql://postgres@127.0.0.1:5432"
PG_LOG = Path("/var/log/postgresql/postgresql-15-main.log")
QUICK = "--quick" in sys.argv
RUNS = 3 if QUICK else 5
# alembic takes a minute a run at 10,000 tables: fewer runs there.
BIG_RUNS = 3
TARGET = ROOT / "target"


def log(msg):
    print(f"[bench] {msg}", flush=True)


def sh(cmd, **kw):
    kw.setdefault("check", True)
    return subprocess.run(cmd, **kw)


def admin(sql):
    conn = psycopg2.connect(PG + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def recreate(db, template=None):
    admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{db}"' + (f' TEMPLATE "{template}"' if template else ""))


def url(db):
    """For opdb and psycopg2."""
    return f"{PG}/{db}"


def sa_url(db):
    """For SQLAlchemy and alembic, with the driver named (SQLAlchemy 2.1 defaults to psycopg 3)."""
    return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{db}"


# --------------------------------------------------------------------------------------------
# Synthetic schemas: one description, two renderings.

COLUMNS = [
    # name, SeaORM field, SeaORM attributes, SQLAlchemy column, comment
    ("id", "i32", "primary_key", "Integer, primary_key=True", "Row identifier"),
    ("code", "String", 'unique, column_type = "String(StringLen::N(32))"',
     "String(32), nullable=False, unique=True", "Short code, unique"),
    ("name", "String", 'indexed, column_type = "String(StringLen::N(64))"',
     "String(64), nullable=False, index=True", "Name, indexed"),
    ("value", "Option<f64>", "", "Double", "Measured value"),
    ("count", "Option<i32>", "", "Integer", "How many"),
    ("created_at", "Option<DateTime>", "", "DateTime", "When the row was made"),
    ("note", "Option<String>", 'column_type = "Text"', "Text", "Free text"),
    ("parent_id", "Option<i32>", "", None, "The row of the table before"),
]


def table_name(i):
    return f"t{i:05d}"


def parent(i):
    return table_name(i - 1) if i > 0 else table_name(0)


def seaorm_module(i, parent_crate=None):
    """The entity of table i; its parent lives in `parent_crate` when that is given (the first
    table of a part of the 10,000-table schema)."""
    t = table_name(i)
    fields = []
    for name, ty, attrs, _, comment in COLUMNS:
        a = ", ".join(x for x in [attrs, f'comment = "{comment}"'] if x)
        fields.append(f"        #[sea_orm({a})]\n        pub {name}: {ty},")
    p = parent(i)
    home = f"{parent_crate}::{p}" if parent_crate else f"super::{p}"
    target = "Entity" if p == t else f"{home}::Entity"
    to = "Column::Id" if p == t else f"{home}::Column::Id"
    return f"""pub mod {t} {{
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "{t}", comment = "Synthetic table {i}")]
    pub struct Model {{
{chr(10).join(fields)}
    }}

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {{
        #[sea_orm(belongs_to = "{target}", from = "Column::ParentId", to = "{to}")]
        Parent,
    }}

    impl ActiveModelBehavior for ActiveModel {{}}
}}
"""


def sqlalchemy_table(i, extra=False):
    t = table_name(i)
    cols = []
    for name, _, _, sa, comment in COLUMNS:
        if sa is None:
            sa = f'Integer, ForeignKey("{parent(i)}.id")'
        cols.append(f'    Column("{name}", {sa}, comment="{comment}"),')
    if extra:
        cols.append('    Column("extra", Integer, comment="Only in B"),')
    return f'{t} = Table(\n    "{t}",\n    metadata,\n' + "\n".join(cols) + f'\n    comment="Synthetic table {i}",\n)\n'


def package(name, dependencies, workspace=False):
    """A Cargo.toml of a benchmark crate."""
    return (f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
            + ("[workspace]\n\n" if workspace else "") + "[dependencies]\n" + dependencies)


def write_synthetic_parts(n, size):
    """The n-table schema as n / size entity crates (each part's first table points into the
    part before), under the runner's parts/, and beside each a small crate that adds its part's
    entities to a model; returns the small crates' names. The entity crates depend on sea-orm
    alone, so a change to the engine rebuilds only the small crates (the entities take most of
    the build). The SQLAlchemy models are written whole."""
    write_synthetic_models(n)
    crates = []
    sea_orm = ('sea-orm = { version = "2.0.4", default-features = false, features = ["macros", '
               '"with-json", "with-chrono", "postgres-array"] }')
    for k in range(n // size):
        crate = f"synth{n}_part{k}"
        first = k * size
        d = WORK / "runner" / "parts" / f"part{k}"
        (d / "src").mkdir(parents=True, exist_ok=True)
        before = f'synth{n}_part{k - 1} = {{ path = "../part{k - 1}" }}\n' if k else ""
        write_if_changed(d / "Cargo.toml", package(crate, before + sea_orm + "\n"))
        write_if_changed(
            d / "src" / "lib.rs",
            f"//! Tables {first} to {first + size - 1} of the {n}-table schema (bench/bench.py).\n\n"
            + "\n".join(seaorm_module(i, f"synth{n}_part{k - 1}" if (i == first and k) else None)
                        for i in range(first, first + size)))
        adder = f"synth{n}_add{k}"
        d = WORK / "runner" / "parts" / f"add{k}"
        (d / "src").mkdir(parents=True, exist_ok=True)
        write_if_changed(d / "Cargo.toml", package(
            adder, f'{crate} = {{ path = "../part{k}" }}\nmigration = {{ path = "{ROOT / "migration"}" }}\n'))
        write_if_changed(
            d / "src" / "lib.rs",
            f"//! Adds tables {first} to {first + size - 1} of the {n}-table schema to a model.\n\n"
            + "/// Adds this part's tables to `set`.\n"
            + "pub fn add(set: &mut migration::EntitySet) {\n"
            + "".join(f"    set.add({crate}::{table_name(i)}::Entity);\n" for i in range(first, first + size))
            + "}\n")
        crates.append(adder)
    return crates


def write_synthetic_models(n):
    """The SQLAlchemy models of the n-table schema."""
    py = WORK / f"synth{n}_models.py"
    if not py.exists():
        py.write_text(
            "from sqlalchemy import (Column, DateTime, Double, ForeignKey, Integer, MetaData,\n"
            "                        String, Table, Text)\n\nmetadata = MetaData()\n\n"
            + "\n".join(sqlalchemy_table(i) for i in range(n))
        )
    return py


def write_synthetic(n):
    """The SeaORM module file and the SQLAlchemy models of the n-table schema."""
    rust = WORK / "runner" / "src" / f"synth{n}.rs"
    if not rust.exists():
        rust.write_text(
            f"//! {n} synthetic tables (generated by bench/bench.py).\n\n"
            + "\n".join(seaorm_module(i) for i in range(n))
            + "\n/// Every table.\npub fn entities() -> migration::EntitySet {\n"
            + "    let mut set = migration::EntitySet::new();\n"
            + "".join(f"    set.add({table_name(i)}::Entity);\n" for i in range(n))
            + "    set\n}\n"
        )
    return write_synthetic_models(n)


# --------------------------------------------------------------------------------------------
# The opDB as SQLAlchemy models, generated from the reference schema.


def write_opdb_models():
    py = WORK / "opdb_models.py"
    if py.exists():
        return py
    recreate("bench_opdb_reference")
    sh(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "bench_opdb_reference",
        "-f", str(ROOT / "tests/fixtures/opdb_schema.sql")], stdout=subprocess.DEVNULL)
    engine = sqlalchemy.create_engine(sa_url("bench_opdb_reference"))
    md = sqlalchemy.MetaData()
    md.reflect(engine)
    out = ["from sqlalchemy import *", "from sqlalchemy.dialects.postgresql import *", "",
           "metadata = MetaData()", ""]
    for t in md.sorted_tables:
        lines = [f"Table(\n    {t.name!r},\n    metadata,"]
        for c in t.columns:
            args = [repr(c.name), repr(c.type)]
            if not c.nullable:
                args.append("nullable=False")
            if c.primary_key:
                args.append("primary_key=True")
                if not (c.autoincrement is True or (c.server_default is not None and "nextval" in str(c.server_default.arg))):
                    args.append("autoincrement=False")
            if c.comment:
                args.append(f"comment={c.comment!r}")
            lines.append(f"    Column({', '.join(args)}),")
        for fk in t.foreign_key_constraints:
            cols = [c.name for c in fk.columns]
            refs = [e.target_fullname for e in fk.elements]
            extra = f", ondelete={fk.ondelete!r}" if fk.ondelete else ""
            lines.append(f"    ForeignKeyConstraint({cols!r}, {refs!r}, name={fk.name!r}{extra}),")
        for u in t.constraints:
            if isinstance(u, sqlalchemy.UniqueConstraint):
                lines.append(f"    UniqueConstraint({', '.join(repr(c.name) for c in u.columns)}, name={u.name!r}),")
        for ix in t.indexes:
            cols = ", ".join(repr(c.name) for c in ix.columns)
            lines.append(f"    Index({ix.name!r}, {cols}{', unique=True' if ix.unique else ''}),")
        if t.comment:
            lines.append(f"    comment={t.comment!r},")
        lines.append(")\n")
        out.append("\n".join(lines))
    engine.dispose()
    admin('DROP DATABASE IF EXISTS "bench_opdb_reference" WITH (FORCE)')
    py.write_text("\n".join(out))
    return py


# --------------------------------------------------------------------------------------------
# Tools.

ENV_PY = '''"""alembic environment of the benchmark: target metadata from {module}."""
import os, sys
from alembic import context
from sqlalchemy import create_engine

sys.path.insert(0, {work!r})
from {module} import metadata as target_metadata


def run_migrations_online():
    engine = create_engine(os.environ["BENCH_URL"])
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
'''


def alembic_dir(name, module):
    """An alembic project for `module`'s metadata: alembic.ini, env.py, versions/."""
    d = WORK / f"alembic_{name}"
    if d.exists():
        shutil.rmtree(d)
    (d / "versions").mkdir(parents=True)
    (d / "alembic.ini").write_text(f"[alembic]\nscript_location = {d}\n")
    (d / "env.py").write_text(ENV_PY.format(module=module, work=str(WORK)))
    template = Path(alembic.__file__).parent / "templates" / "generic" / "script.py.mako"
    shutil.copy(template, d / "script.py.mako")
    return d


def opdb_root(name):
    """An opdb project folder with an empty alembic/<name>, for binaries without revisions."""
    d = WORK / f"opdb_{name}"
    if d.exists():
        shutil.rmtree(d)
    (d / "alembic" / name / "versions").mkdir(parents=True)
    return d


def write_if_changed(path, text):
    """Writes `text` unless the file already holds it, so cargo does not rebuild for nothing."""
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def build():
    log("building opdb and the benchmark binaries (release)")
    sh(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT)
    runner = WORK / "runner"
    (runner / "src").mkdir(parents=True, exist_ok=True)
    write_if_changed(runner / "Cargo.toml", f"""[package]
name = "opdb-bench"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
{chr(10).join(f'synth10000_add{k} = {{ path = "parts/add{k}" }}' for k in range(10))}
opdb = {{ path = "{ROOT}" }}
migration = {{ path = "{ROOT / 'migration'}" }}
sea-orm = {{ version = "2.0.4", default-features = false, features = ["macros", "with-json", "with-chrono", "postgres-array"] }}
tokio = {{ version = "1", features = ["rt-multi-thread", "macros"] }}

[[bin]]
name = "opdb-model"
path = "src/opdb_model.rs"

[[bin]]
name = "synth1000"
path = "src/synth1000_main.rs"

[[bin]]
name = "synth10000"
path = "src/synth10000_main.rs"
""")
    if not (runner / "Cargo.lock").exists():
        shutil.copy(ROOT / "Cargo.lock", runner / "Cargo.lock")
    write_if_changed(runner / "src" / "opdb_model.rs", """//! opdb with the opDB's entities and no revisions: autogenerate against an empty database.
fn main() -> std::process::ExitCode {
    let scripts = vec![migration::CompiledScripts { database: "opdb", revisions: vec![], settings: None }];
    migration::start("opdb", scripts, opdb::entities, std::path::Path::new("."))
}
""")
    write_if_changed(runner / "src" / "synth1000_main.rs", """//! opdb with the 1,000 synthetic entities and no revisions.
mod synth1000;

fn main() -> std::process::ExitCode {
    let scripts = vec![migration::CompiledScripts { database: "synth", revisions: vec![], settings: None }];
    migration::start("opdb", scripts, synth1000::entities, std::path::Path::new("."))
}
""")
    # 10,000 entities in one crate need more memory than rustc has here: ten crates of 1,000.
    parts = write_synthetic_parts(10000, 1000)
    write_if_changed(runner / "src" / "synth10000_main.rs", """//! opdb with the 10,000 synthetic entities (ten crates of 1,000) and no revisions.
fn entities() -> migration::EntitySet {
    let mut set = migration::EntitySet::new();
""" + "".join(f"    {crate}::add(&mut set);\n" for crate in parts) + """    set
}

fn main() -> std::process::ExitCode {
    let scripts = vec![migration::CompiledScripts { database: "synth", revisions: vec![], settings: None }];
    migration::start("opdb", scripts, entities, std::path::Path::new("."))
}
""")
    write_synthetic(1000)
    t0 = time.time()
    sh(["cargo", "build", "--release", "--quiet"], cwd=runner,
       env={**os.environ, "CARGO_TARGET_DIR": str(TARGET)})
    log(f"benchmark binaries built in {time.time() - t0:.0f} s")


OPDB = TARGET / "release" / "opdb"
OPDB_MODEL = TARGET / "release" / "opdb-model"
SYNTH = {1000: TARGET / "release" / "synth1000", 10000: TARGET / "release" / "synth10000"}
ALEMBIC = VENV / "bin" / "alembic"
PYTHON = VENV / "bin" / "python"

DIFF_PY = WORK / "alembic_diff.py"


def write_alembic_diff():
    DIFF_PY.write_text('''"""alembic comparing database A with the reflected metadata of database B."""
import sys
import threading
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine

# Reflecting a chain of 10,000 foreign keys recurses once per table: room for that, on a thread
# with a stack to match.
sys.setrecursionlimit(1_000_000)
threading.stack_size(1 << 30)


def main():
    a, b = sys.argv[1], sys.argv[2]
    target = MetaData()
    engine_b = create_engine(b)
    target.reflect(engine_b)
    engine_b.dispose()
    engine_a = create_engine(a)
    with engine_a.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), target)
    engine_a.dispose()
    print(f"{len(diffs)} differences")


failed = []


def guarded():
    try:
        main()
    except BaseException as e:  # a failure in the thread must fail the process
        failed.append(e)
        raise


t = threading.Thread(target=guarded)
t.start()
t.join()
if failed:
    sys.exit(1)
''')


# --------------------------------------------------------------------------------------------
# Measuring.


def run_once(cmd, env=None, cwd=None, ok_codes=(0,)):
    """Wall seconds, peak RSS in MiB, stdout. Output goes to files, never to a pipe that could
    fill up and stall the tool."""
    out_path, err_path = WORK / "stdout.txt", WORK / "stderr.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in ok_codes:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({p.returncode}): "
                           f"{err_path.read_text(errors='replace')[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss / 1024.0, out_path.read_text(errors="replace"), cpu


def count_statements(dbs, fn):
    """Statements the server logged for databases `dbs` while `fn` ran."""
    for db in dbs:
        admin(f'ALTER DATABASE "{db}" SET log_statement = \'all\'')
    size = PG_LOG.stat().st_size
    try:
        fn()
        time.sleep(0.5)
    finally:
        for db in dbs:
            admin(f'ALTER DATABASE "{db}" RESET log_statement')
    with open(PG_LOG, "rb") as f:
        f.seek(size)
        text = f.read().decode(errors="replace")
    pattern = re.compile(r"@(\S+) LOG:  (statement|execute [^:]*):")
    return sum(1 for m in pattern.finditer(text) if m.group(1) in dbs)


def measure(case, tool, cmd, dbs, reset=None, check_output=None, cleanup=None, env=None, cwd=None,
            ok_codes=(0,), runs=None, count=True):
    """Warm-up, `runs` (RUNS) timed runs and, with `count`, a counting run of one tool on one
    case."""
    runs = runs or RUNS
    log(f"{case}: {tool}")
    samples = []
    output = ""
    for i in range(runs + 1):
        if reset:
            reset()
        wall, rss, output, cpu = run_once(cmd, env=env, cwd=cwd, ok_codes=ok_codes)
        if cleanup:
            cleanup()
        if i > 0:
            samples.append((wall, rss, cpu))
    if check_output:
        check_output(output)
    statements = None
    if count:
        if reset:
            reset()
        statements = count_statements(
            dbs, lambda: run_once(cmd, env=env, cwd=cwd, ok_codes=ok_codes))
        if cleanup:
            cleanup()
    walls = [w for w, _, _ in samples]
    return {
        "case": case,
        "tool": tool,
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "max_s": max(walls),
        "cpu_s": statistics.median(c for _, _, c in samples),
        "peak_mib": max(r for _, r, _ in samples),
        "statements": statements,
        "runs": len(walls),
        "said": (output.strip().splitlines() or [""])[-1][:200],
    }


def clear_versions(d):
    def clean():
        for f in [*d.glob("*.py"), *d.glob("*.rs")]:
            f.unlink()
    return clean


def expect(text):
    def check(out):
        if text not in out:
            raise RuntimeError(f"expected {text!r} in the output, got: {out[-500:]}")
    return check


# --------------------------------------------------------------------------------------------
# Cases.


def opdb_cases(results):
    models = write_opdb_models()
    al_head = alembic_dir("opdb_head", "opdb_models")
    al_empty = alembic_dir("opdb_empty", "opdb_models")

    # alembic's own first revision, made once from an empty database, to upgrade with.
    recreate("bench_al_opdb")
    env = {**os.environ, "BENCH_URL": sa_url("bench_al_opdb")}
    sh([ALEMBIC, "-c", al_head / "alembic.ini", "revision", "--autogenerate", "-m", "opdb",
        "--rev-id", "0b1a5e000001"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sh([ALEMBIC, "-c", al_head / "alembic.ini", "upgrade", "head"], env=env,
       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    recreate("bench_opdb")
    sh([OPDB, "--url", url("bench_opdb"), "upgrade", "head"], stdout=subprocess.DEVNULL)
    for db in ["bench_opdb_empty", "bench_al_opdb_empty"]:
        recreate(db)

    keep = set(p.name for p in (al_head / "versions").glob("*.py"))
    settle()

    def clean_al_head():
        for f in (al_head / "versions").glob("*.py"):
            if f.name not in keep:
                f.unlink()

    results += [
        measure("opDB: current (start, connect, read the version, exit)", "opdb",
                [OPDB, "--url", url("bench_opdb"), "current"], ["bench_opdb"]),
        # libpq on the same URL (TLS negotiated alike), reading the same row.
        measure("opDB: current (start, connect, read the version, exit)", "psql",
                ["psql", "-X", "-A", "-t", "-c", "SELECT version_num FROM alembic_version",
                 url("bench_opdb")], ["bench_opdb"]),
        measure("opDB: current (start, connect, read the version, exit)", "alembic",
                [ALEMBIC, "-c", al_head / "alembic.ini", "current"], ["bench_al_opdb"], env=env),
        measure("opDB: autogenerate, database at head", "opdb",
                [OPDB, "--url", url("bench_opdb"), "revision", "--autogenerate", "-m", "bench"],
                ["bench_opdb"], check_output=expect("No changes in schema detected")),
        measure("opDB: autogenerate, database at head", "alembic",
                [ALEMBIC, "-c", al_head / "alembic.ini", "revision", "--autogenerate", "-m", "bench"],
                ["bench_al_opdb"], cleanup=clean_al_head, env=env),
    ]
    root = opdb_root("opdb")
    results += [
        measure("opDB: autogenerate, empty database", "opdb",
                [OPDB_MODEL, "--root", root, "--url", url("bench_opdb_empty"), "revision",
                 "--autogenerate", "-m", "bench"],
                ["bench_opdb_empty"], cleanup=clear_versions(root / "alembic/opdb/versions"),
                check_output=expect("61 changes")),
        measure("opDB: autogenerate, empty database", "alembic",
                [ALEMBIC, "-c", al_empty / "alembic.ini", "revision", "--autogenerate", "-m", "bench"],
                ["bench_al_opdb_empty"], cleanup=clear_versions(al_empty / "versions"),
                env={**os.environ, "BENCH_URL": sa_url("bench_al_opdb_empty")}),
        measure("opDB: check", "opdb", [OPDB, "--url", url("bench_opdb"), "check"], ["bench_opdb"],
                check_output=expect("No new upgrade operations")),
        # alembic check exits 255 when it finds differences; what it said is kept.
        measure("opDB: check", "alembic", [ALEMBIC, "-c", al_head / "alembic.ini", "check"],
                ["bench_al_opdb"], env=env, ok_codes=(0, 255)),
        measure("opDB: upgrade head from empty", "opdb",
                [OPDB, "--url", url("bench_opdb_up"), "upgrade", "head"], ["bench_opdb_up"],
                reset=lambda: recreate("bench_opdb_up")),
        measure("opDB: upgrade head from empty", "alembic",
                [ALEMBIC, "-c", al_head / "alembic.ini", "upgrade", "head"], ["bench_al_opdb_up"],
                reset=lambda: recreate("bench_al_opdb_up"),
                env={**os.environ, "BENCH_URL": sa_url("bench_al_opdb_up")}),
    ]


def settle():
    """Writes out what setting up the databases dirtied (CHECKPOINT), so the checkpointer does
    not flush it during the timed runs that follow, slowing whichever tool runs then."""
    admin("CHECKPOINT")


def create_synthetic(db, n, module_path):
    """Creates the n-table schema in `db` with SQLAlchemy's create_all."""
    recreate(db)
    code = module_path.read_text()
    scope = {}
    exec(compile(code, str(module_path), "exec"), scope)
    engine = sqlalchemy.create_engine(sa_url(db))
    # In batches, each its own transaction: one create_all of 10,000 tables holds more locks
    # than PostgreSQL's default max_locks_per_transaction allows.
    tables = scope["metadata"].sorted_tables
    for start in range(0, len(tables), 500):
        scope["metadata"].create_all(engine, tables=tables[start:start + 500])
    engine.dispose()


def analyzed_copy(db):
    """A copy of `db` whose catalogs (and tables) are analyzed."""
    copy = f"{db}_an"
    recreate(copy, template=db)
    conn = psycopg2.connect(url(copy))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("ANALYZE")
    conn.close()
    return copy


def synthetic_cases(results, n):
    py = write_synthetic_models(n)
    t0 = time.time()
    create_synthetic(f"bench_s{n}_a", n, py)
    # B: a copy of A with a column more in every 100th table.
    recreate(f"bench_s{n}_b", template=f"bench_s{n}_a")
    conn = psycopg2.connect(url(f"bench_s{n}_b"))
    with conn, conn.cursor() as cur:
        for i in range(0, n, 100):
            cur.execute(f'ALTER TABLE {table_name(i)} ADD COLUMN extra integer')
            cur.execute(f"COMMENT ON COLUMN {table_name(i)}.extra IS 'Only in B'")
    conn.close()
    recreate(f"bench_s{n}_empty")
    analyzed = {db: analyzed_copy(db) for db in
                [f"bench_s{n}_a", f"bench_s{n}_b", f"bench_s{n}_empty"]}
    log(f"{n} tables created, copied and analyzed in {time.time() - t0:.0f} s")
    PROFILES[n] = {"fresh": catalog_profile(f"bench_s{n}_a"),
                   "analyzed": catalog_profile(analyzed[f"bench_s{n}_a"])}
    runs = BIG_RUNS if n >= 10000 else RUNS
    settle()
    al = alembic_dir(f"s{n}", f"synth{n}_models")
    root = opdb_root("synth")
    clean_opdb = clear_versions(root / "alembic/synth/versions")
    for catalogs in ["fresh", "analyzed"]:
        name = (lambda db: db) if catalogs == "fresh" else (lambda db: analyzed[db])
        a, b, empty = name(f"bench_s{n}_a"), name(f"bench_s{n}_b"), name(f"bench_s{n}_empty")
        # The statements sent do not depend on the statistics: counted once, on the fresh run.
        count = catalogs == "fresh"
        env_a = {**os.environ, "BENCH_URL": sa_url(a)}
        env_empty = {**os.environ, "BENCH_URL": sa_url(empty)}
        tag = f"{n} tables, {catalogs} catalogs"
        results += [
            measure(f"{tag}: autogenerate, matching database", "opdb",
                    [SYNTH[n], "--root", root, "-n", "synth", "--url", url(a), "revision",
                     "--autogenerate", "-m", "bench"], [a], cleanup=clean_opdb, runs=runs,
                    count=count, check_output=expect("No changes in schema detected")),
            measure(f"{tag}: autogenerate, matching database", "alembic",
                    [ALEMBIC, "-c", al / "alembic.ini", "revision", "--autogenerate", "-m", "bench"],
                    [a], cleanup=clear_versions(al / "versions"), env=env_a, runs=runs,
                    count=count),
            measure(f"{tag}: autogenerate, empty database", "opdb",
                    [SYNTH[n], "--root", root, "-n", "synth", "--url", url(empty),
                     "revision", "--autogenerate", "-m", "bench"], [empty],
                    cleanup=clean_opdb, runs=runs, count=count,
                    check_output=expect(f"{n} changes")),
            measure(f"{tag}: autogenerate, empty database", "alembic",
                    [ALEMBIC, "-c", al / "alembic.ini", "revision", "--autogenerate", "-m", "bench"],
                    [empty], cleanup=clear_versions(al / "versions"), env=env_empty, runs=runs,
                    count=count),
            measure(f"{tag}: database A against database B", "opdb",
                    [OPDB, "diff", "--from", url(a), "--to", url(b)], [a, b], runs=runs,
                    count=count, check_output=expect("op.add_column")),
            measure(f"{tag}: database A against database B", "alembic",
                    [PYTHON, DIFF_PY, sa_url(a), sa_url(b)], [a, b], runs=runs, count=count),
        ]
    # The counts of the fresh runs stand for both.
    counted = {(r["case"].replace("fresh", "analyzed"), r["tool"]): r["statements"]
               for r in results if r["statements"] is not None}
    for r in results:
        if r["statements"] is None:
            r["statements"] = counted.get((r["case"], r["tool"]))
    for db in analyzed.values():
        admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


# The columns query opdb used before its catalog reads stopped joining catalogs (kept here to
# show what the statistics did to it).
JOINED_COLUMNS = """
WITH owned AS (
    SELECT DISTINCT dep.refobjid, dep.refobjsubid
    FROM pg_depend dep JOIN pg_class s ON s.oid = dep.objid
    WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
      AND s.relkind = 'S' AND dep.deptype IN ('a', 'i'))
SELECT c.relname::text AS table_name, a.attname::text AS name, a.attnum::int AS attnum,
       format_type(a.atttypid, a.atttypmod) AS type, t.typtype::text AS typtype,
       elem.typtype::text AS elem_typtype, a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       ds.description AS comment, a.attidentity::text AS identity,
       o.refobjid IS NOT NULL AS owns_sequence
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type elem ON elem.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_description ds
       ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum
LEFT JOIN owned o ON o.refobjid = c.oid AND o.refobjsubid = a.attnum
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum"""


def catalog_profile(db):
    """Milliseconds each of opdb's catalog queries takes on `db` (median of 5, with transfer,
    with JIT compilation off as opdb has it), and the joined columns query it replaced."""
    source = (ROOT / "migration/src/introspect/postgres.rs").read_text()
    query = lambda name: re.search(r"const " + name + r': &str = "(.*?)";', source, re.S).group(1)
    conn = psycopg2.connect(url(db))
    out = []
    with conn.cursor() as cur:
        cur.execute("SET jit = off")
        here = "(SELECT oid FROM pg_namespace WHERE nspname = 'public')"
        cur.execute(query("RELATIONS").replace("$NAMESPACE", here))
        rows = cur.fetchall()
        tables = "'{" + ",".join(str(r[0]) for r in rows if r[2] in ("r", "p")) + "}'::oid[]"
        sequences = "'{" + ",".join(str(r[0]) for r in rows if r[2] == "S") + "}'::oid[]"
        for name, oids in [("RELATIONS", None), ("ACCESS_METHODS", None), ("ENUMS", None),
                           ("OPCLASSES", None), ("OTHER_OBJECTS", None), ("COMMENTS", tables),
                           ("DEFAULTS", tables), ("SEQUENCE_OWNERS", sequences),
                           ("COLUMNS", tables), ("CONSTRAINTS", tables), ("INDEXES", tables),
                           ("TABLE_OBJECTS", tables), ("joined columns (before)", None)]:
            sql = JOINED_COLUMNS if "joined" in name else query(name)
            sql = (sql.replace("$NAMESPACE", here).replace("$OIDS", oids or "")
                   .replace("$NND", "indnullsnotdistinct"))
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                cur.execute(sql)
                cur.fetchall()
                times.append((time.perf_counter() - t0) * 1000)
            out.append((name.lower(), statistics.median(times)))
    conn.close()
    return out


PROFILES = {}


# --------------------------------------------------------------------------------------------
# Report.


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem = int(line.split()[1]) // (1024 * 1024)
    conn = psycopg2.connect(PG + "/postgres")
    with conn.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    conn.close()
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} cores, {mem} GiB RAM; {platform.system()} "
            f"{platform.release()}; PostgreSQL {pg} on the same machine; {rustc} (release build); "
            f"Python {platform.python_version()}, alembic {alembic.__version__}, SQLAlchemy "
            f"{sqlalchemy.__version__}, psycopg2 {psycopg2.__version__.split()[0]}")


def report(results, started):
    by_case = {}
    for r in results:
        by_case.setdefault(r["case"], {})[r["tool"]] = r

    def ratio(case):
        t = by_case.get(case, {})
        return t["alembic"]["median_s"] / t["opdb"]["median_s"] if "opdb" in t and "alembic" in t else None

    lines = [
        "# Benchmarks: opdb against alembic",
        "",
        "Regenerate with `bash bench/run` (it sets up everything it needs; see its header). "
        f"Every figure below is from that command, run on {time.strftime('%Y-%m-%d', time.localtime(started))}"
        f"{' with --quick' if QUICK else ''}.",
        "",
        f"Machine: {machine()}.",
        "",
        f"Each case runs each tool as a whole process (start-up, connection, work, exit) once to warm "
        f"up, then {RUNS} times ({BIG_RUNS} at 10,000 tables); the table shows the median wall time, "
        "the median CPU time of the process (user and system, children included: what is not CPU "
        "is waiting, mostly for the server), the peak resident memory, and the queries the server "
        "received in one more run (the entries of its log with `log_statement = 'all'`: a batch "
        "of statements sent in one message is one entry, as each is one round trip). "
        "Synthetic cases run on databases whose catalogs were never analyzed (`fresh`: a new "
        "database, as tests, CI and restored copies have) and on analyzed copies (`analyzed`).",
        "",
        "| case | opdb | alembic | alembic / opdb | opdb CPU | alembic CPU | opdb peak memory | alembic peak memory | opdb queries sent | alembic queries sent |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case, tools in by_case.items():
        o, a = tools.get("opdb"), tools.get("alembic")
        if not o or not a:
            continue
        lines.append(
            f"| {case} | {o['median_s']:.3f} s | {a['median_s']:.3f} s | "
            f"**{a['median_s'] / o['median_s']:.1f}x** | {o.get('cpu_s', 0):.3f} s | {a.get('cpu_s', 0):.3f} s | "
            f"{o['peak_mib']:.0f} MiB | {a['peak_mib']:.0f} MiB | {o['statements']} | {a['statements']} |")

    lines += ["", "## Targets", ""]
    synthetic = [c for c in by_case if c.startswith(("1000 tables", "10000 tables"))]
    missed = [c for c in synthetic if (ratio(c) or 0) < 30]
    if synthetic:
        worst = min(synthetic, key=lambda c: ratio(c) or 0)
        sizes = sorted({int(c.split()[0]) for c in synthetic})
        measured = " and ".join(f"{n:,}" for n in sizes)
        unmeasured = "" if 10000 in sizes else " (10,000 tables not measured in this run)"
        lines.append(
            f"- At least 30 times faster than alembic at 1,000 and 10,000 tables, every case, fresh "
            f"and analyzed catalogs; measured at {measured} tables{unmeasured}: "
            f"met in {len(synthetic) - len(missed)} "
            f"of {len(synthetic)} cases; the smallest lead is {ratio(worst):.1f}x ({worst})."
            + ("" if not missed else " Missed: " + "; ".join(f"{c} ({ratio(c):.1f}x)" for c in missed) + "."))
    check = ratio("opDB: check")
    if check:
        lines.append(f"- `check` on the opDB at least 20 times faster than alembic's comparison: "
                     f"{check:.1f}x, {'met' if check >= 20 else 'not met (see what bounds it below)'}.")
    cur = by_case.get("opDB: current (start, connect, read the version, exit)", {})
    if "opdb" in cur and "psql" in cur:
        o, q = cur["opdb"]["median_s"], cur["psql"]["median_s"]
        lines.append(
            f"- Connection set-up within 10% of psql's on the same URL (TLS negotiated, as both "
            f"default to `sslmode=prefer`): starting, connecting and reading the version row takes "
            f"{o * 1000:.1f} ms for opdb and {q * 1000:.1f} ms for psql "
            f"({(o / q - 1) * 100:+.0f}%): {'met' if o <= q * 1.1 else 'not met'}.")
    counts = sorted({r["statements"] for r in results
                     if r["tool"] == "opdb" and "autogenerate" in r["case"] and r["statements"]})
    lines.append(
        f"- A constant number of catalog queries: opdb's autogenerate sends {', '.join(map(str, counts))} "
        "queries in all (the version table's, then the catalog reads in two batches of queries, "
        "each batch one message) at 61 and 1,000 tables (and 10,000 when measured); alembic's "
        "grow with the tables.")

    lines += ["", "## What bounds opdb's time", ""]
    for n, profile in PROFILES.items():
        for catalogs, rows in profile.items():
            ours = [(k, ms) for k, ms in rows if "before" not in k]
            before = [ms for k, ms in rows if "before" in k]
            parts = ", ".join(f"{k} {ms:.1f} ms" for k, ms in ours)
            lines.append(
                f"- {n}-table database, {catalogs} catalogs: {len(ours)} of opdb's catalog queries, "
                f"each run alone by psycopg2, take {sum(ms for _, ms in ours):.0f} ms on the server "
                f"(with transfer): {parts}"
                + (f". The joined columns query they replaced takes {before[0]:.0f} ms here." if before else "."))
    for c in missed:
        o = by_case[c]["opdb"]
        if "against" in c:
            work = "reading and decoding both catalogs, the diff"
            wait = ("two TLS connections and two sets of catalog queries (run at once, each on its "
                    "own server backend, on a machine of two cores that the client shares)")
        else:
            work = "reading the entities and decoding the catalog, the diff, the revision file"
            wait = ("one TLS connection and one set of catalog queries (the entities are read "
                    "meanwhile, on a machine of two cores that the server shares)")
        lines.append(
            f"- Missed, {c}: {o['median_s']:.3f} s of wall time (runs from {o['min_s']:.3f} to "
            f"{o['max_s']:.3f} s over {o['runs']}), {o['cpu_s']:.3f} s of it CPU ({work}); the rest "
            f"is waiting: {wait}.")
    if check and check < 20:
        o = by_case["opDB: check"]["opdb"]
        cur_o = by_case.get("opDB: current (start, connect, read the version, exit)", {}).get("opdb")
        lines.append(
            f"- Missed, opDB: check: {o['median_s']:.3f} s of wall time (runs from {o['min_s']:.3f} to "
            f"{o['max_s']:.3f} s), {o['cpu_s']:.3f} s of it CPU; the rest is waiting: starting and "
            "connecting (the whole `current` case takes "
            + (f"{cur_o['median_s']:.3f} s" if cur_o else "a part") +
            f") and {o['statements']} queries: the version table's, each two round trips with "
            "sqlx 0.9 (the statement prepared, then executed), and the catalog reads, one round "
            "trip per batch of queries.")
    lines += [
        "- CPU against wall: where opdb's CPU time is close to its wall time the case is bound by "
        "its own work (reading entities, decoding rows, the diff, writing the file); where it is "
        "well below, by waiting for the server (the catalog queries above, the connection).",
        "- Connection: sqlx 0.9 no longer sets `TCP_NODELAY` (sqlx issue 4335, fixed upstream, "
        "not released), so every TLS handshake waited twice for the server's delayed ACK (about "
        "45 ms each). sqlx exposes no socket, so opdb drives the connect future itself and sets "
        "`TCP_NODELAY` on the process's new TCP sockets each time the future waits "
        "(`migration/src/socket.rs`): the option is set before the first byte is written, with "
        "no patched copy of sqlx to maintain; when sqlx sets it again, that code finds nothing to do.",
        "- Catalog reads no longer join catalogs: a join planned on never-analyzed catalogs can "
        "rescan one catalog per row of another (the joined columns query above); each query now "
        "reads one catalog filtered by the schema's oids as a constant array, and opdb joins the "
        "rows. `diff` reads both databases at once, and the entities are read on a thread of their "
        "own while the database is read.",
        "- The catalog reads go in batches: the queries that need only the schema's name, then "
        "those that need the oids the first found (and a third only when foreign keys point into "
        "other schemas, index keys collate otherwise or sequences stand alone), each batch one "
        "simple-query message that the server runs in order and answers in one go: one round trip "
        "a batch, where sqlx's prepared queries cost two each (on the opDB, 27 round trips became "
        "2). Their rows come as text, which opdb parses itself rather than through the driver's "
        "checked decoding of each cell.",
        "- The catalog reads run with JIT compilation off (`SET LOCAL`, for the reads alone): "
        "the server compiles a query when the planner's cost estimate passes a threshold, "
        "and the estimate follows the catalogs' statistics; on an analyzed 1,000-table database "
        "the indexes query was compiled, 200 ms for a query that runs in 5. Defaults are deparsed "
        "without opening their tables (a default cannot refer to a column; only generated "
        "expressions are given theirs), access methods are read once rather than per index, "
        "and columns are sorted by opdb rather than the server.",
        "- The entities' tables are moved into the model, not copied, and a revision's empty half "
        "(an upgrade that finds nothing to do) is not applied and compared a second time.",
        "- `revision --autogenerate` lays the file out itself, exactly as rustfmt would (held to "
        "`rustfmt --check` by a test over 845 random revisions); rustfmt, which took half a "
        "second at 1,000 tables, runs only when a code line holds non-ASCII text or is wider than "
        "100 columns.",
        "- `upgrade` sends each revision made only of statements (no data migration, no raw SQL) "
        "in one simple-query message with its BEGIN, version update, history row and COMMIT.",
        "- alembic's time is Python start-up and imports, then reflection: one round of queries per "
        "table (the query counts above), then its comparison.",
    ]
    raw = {"results": results, "profiles": {str(n): p for n, p in PROFILES.items()}}
    lines += ["", "## Raw figures", "", "```json", json.dumps(raw, indent=1), "```", ""]
    # The rebuild figures are `bench/rebuild`'s, kept as they are.
    kept = rebuild_block((ROOT / "BENCHMARKS.md").read_text()) if (ROOT / "BENCHMARKS.md").exists() else ""
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines) + kept)
    log("wrote BENCHMARKS.md")





def rerender():
    """`--report`: BENCHMARKS.md again from the raw figures it holds, with today's wording."""
    text = (ROOT / "BENCHMARKS.md").read_text()
    raw = json.loads(text.split("```json", 1)[1].split("```", 1)[0])
    if isinstance(raw, list):  # the first format: the profiles only in the text
        results = raw
        for n, rest in re.findall(r"on the (\d+)-table database they take [^:]*: (.*)\.\n", text):
            PROFILES[int(n)] = [(k, float(v)) for k, v in re.findall(r"(\w+) ([\d.]+) ms", rest)]
    else:
        results = raw["results"]
        for n, p in raw["profiles"].items():
            if isinstance(p, dict):
                PROFILES[int(n)] = {k: [tuple(x) for x in v] for k, v in p.items()}
            else:  # one profile, of analyzed catalogs
                PROFILES[int(n)] = {"analyzed": [tuple(x) for x in p]}
    date = re.search(r"run on (\d{4}-\d{2}-\d{2})", text).group(1)
    global QUICK
    QUICK = QUICK or f"run on {date} with --quick" in text
    report(results, time.mktime(time.strptime(date, "%Y-%m-%d")))


def main():
    if "--report" in sys.argv:
        return rerender()
    started = time.time()
    WORK.mkdir(parents=True, exist_ok=True)
    # --no-build: measure the binaries already built (a rebuild of the 10,000 entities takes
    # most of an hour).
    if "--no-build" not in sys.argv:
        build()
    write_alembic_diff()
    results = []
    # Autovacuum would analyze the fresh databases' catalogs behind the benchmark's back.
    admin("ALTER SYSTEM SET autovacuum = off")
    admin("SELECT pg_reload_conf()")
    try:
        opdb_cases(results)
        synthetic_cases(results, 1000)
        if not QUICK:
            synthetic_cases(results, 10000)
    finally:
        admin("ALTER SYSTEM RESET autovacuum")
        admin("SELECT pg_reload_conf()")
        # Whatever was measured is kept, even when a case failed.
        (WORK / "results.json").write_text(json.dumps(results, indent=1))
    report(results, started)
    for db in ["bench_opdb", "bench_opdb_empty", "bench_opdb_up", "bench_al_opdb", "bench_al_opdb_empty",
               "bench_al_opdb_up", "bench_s1000_a", "bench_s1000_b", "bench_s1000_empty",
               "bench_s10000_a", "bench_s10000_b", "bench_s10000_empty"]:
        admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
