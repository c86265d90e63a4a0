"""The section of BENCHMARKS.md that `bench/rebuild` writes: what a new revision costs to
rebuild in release mode. Standard library only, so that it runs without the benchmark's virtual
environment; `bench.py` keeps the section when it rewrites the file."""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

REBUILD_START, REBUILD_END = "<!-- rebuild -->", "<!-- /rebuild -->"


def rebuild_block(text):
    """The section `bench/rebuild` writes and the hand-kept sections after it (`reset`'s, from
    `bench/reset`), with a line break before them, or nothing."""
    if REBUILD_START not in text:
        return ""
    start = text.index(REBUILD_START)
    text.index(REBUILD_END, start)
    return "\n" + text[start:].rstrip("\n") + "\n"


def rebuild(label, commit, median, runs):
    """`--rebuild`: the row of `label` in the section on a new revision's rebuild time."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text()
    # Exactly the rebuild section: the hand-kept sections after it stay as they are.
    block = ""
    if REBUILD_START in text:
        start = text.index(REBUILD_START)
        block = text[start:text.index(REBUILD_END, start) + len(REBUILD_END)]
    rows = {}
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 5 and cells[0] not in ("tree", "---"):
            rows[cells[0]] = cells
    rows[label] = [label, commit, f"{float(median):.1f} s",
                   ", ".join(f"{float(t):.1f}" for t in runs.split()), time.strftime("%Y-%m-%d")]
    section = [
        REBUILD_START,
        "## A new revision's rebuild",
        "",
        "What `cargo build --release` takes after a revision file changes (a comment line added "
        "to the opDB's revision: the build script then compiles the revisions in again), five "
        f"times each, on {os.cpu_count()} cores. Reproduce with `bash bench/rebuild` (this tree) "
        "or `bash bench/rebuild DIR LABEL` (a worktree of another commit).",
        "",
        "- before: the binary's own package held the entities' reading (`opdb::entities`, "
        "61 entities read by generic code compiled there) and its tokio `main`, both compiled "
        "again with the revisions at full optimization.",
        "- after: the entities are read in the entity crate (`entity::entities`), the runtime "
        "starts in the engine (`migration::start`), and the binary's package (its `main` and "
        "the revisions, which run once per upgrade) is compiled at `opt-level = 0`; the engine "
        "and the entities keep the release profile. `opdb check` on the opDB takes as long as "
        "before (18.8 ms median either way, 30 alternating runs, timed by hand: not by "
        "this script).",
        "- library: the same after the engine became a library for any team (issue 16): the "
        "binary's `build.rs` is one call (`migration_build::revisions()`), its `main.rs` one "
        "macro (`migration::main!(entity::entities)`), and the entity crate's build script "
        "finds the entity files; a revision still rebuilds only the binary's package.",
        "",
        "| tree | commit | median | runs (s) | measured |",
        "|---|---|---|---|---|",
    ] + ["| " + " | ".join(r) + " |" for r in rows.values()] + [REBUILD_END]
    new = "\n".join(section)
    text = text.replace(block, new) if block else text.rstrip("\n") + "\n\n" + new + "\n"
    path.write_text(text)
    print(f"wrote the rebuild figures of {label} to BENCHMARKS.md")


if __name__ == "__main__":
    rebuild(*sys.argv[1:5])
