//! Table features, views, functions and triggers, one case each, judged by the databases
//! rather than by opdb.
//!
//! Each case is two schemas written as plain SQL, A and B. Per backend the test builds A twice
//! and B once, then:
//! - the no-change twin: `diff` between the two copies of A finds nothing;
//! - forward: `diff --from A --to B` finds something, its `--sql` script applied to A makes A's
//!   schema what B's is, and `diff` then finds nothing;
//! - back: the same from B to the second copy of A.
//!
//! "What B's is" is decided by the database's own report: the normalized `pg_dump
//! --schema-only` on PostgreSQL, and SQLite's pragmas and stored `CREATE` texts
//! ([`common::sqlite_schema`]). opdb's introspection never judges its own diff here.

mod common;

use sea_orm::{ConnectionTrait, DbBackend};
use std::sync::Arc;

/// A case: its name, and its (A, B) schemas on PostgreSQL and, where SQLite can hold the
/// feature, on SQLite (written as opdb writes a table, since SQLite keeps the text).
struct Case {
    name: &'static str,
    /// Whether both schemas start with the `parent` table.
    parent: bool,
    pg: Option<(&'static str, &'static str)>,
    sqlite: Option<(&'static str, &'static str)>,
}

const PARENT_PG: &str = "CREATE TABLE parent (id integer PRIMARY KEY, code text, CONSTRAINT parent_code_key UNIQUE (code));";
const PARENT_SQLITE: &str = "CREATE TABLE parent (
    id INTEGER NOT NULL,
    code TEXT,
    CONSTRAINT parent_pkey PRIMARY KEY (id),
    CONSTRAINT parent_code_key UNIQUE (code)
);";

const CASES: &[Case] = &[
    Case {
        name: "foreign key made deferrable",
        parent: true,
        pg: Some((
            "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id));",
            "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id) DEFERRABLE);"
        )),
        sqlite: Some((
            "CREATE TABLE child (
    id INTEGER NOT NULL,
    parent_id INTEGER,
    CONSTRAINT child_pkey PRIMARY KEY (id),
    CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parent (id)
);",
            "CREATE TABLE child (
    id INTEGER NOT NULL,
    parent_id INTEGER,
    CONSTRAINT child_pkey PRIMARY KEY (id),
    CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parent (id) DEFERRABLE
);"
        )),
    },
    Case {
        name: "foreign key initially deferred against deferrable",
        parent: true,
        pg: Some((
            "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id) DEFERRABLE INITIALLY IMMEDIATE);",
            "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);"
        )),
        sqlite: Some((
            "CREATE TABLE child (
    id INTEGER NOT NULL,
    parent_id INTEGER,
    CONSTRAINT child_pkey PRIMARY KEY (id),
    CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parent (id) DEFERRABLE
);",
            "CREATE TABLE child (
    id INTEGER NOT NULL,
    parent_id INTEGER,
    CONSTRAINT child_pkey PRIMARY KEY (id),
    CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED
);"
        )),
    },
    Case {
        name: "foreign key MATCH FULL with actions",
        parent: true,
        pg: Some((
            "ALTER TABLE parent ADD CONSTRAINT parent_id_code_key UNIQUE (id, code);
             CREATE TABLE child (id integer PRIMARY KEY, a integer, b text, FOREIGN KEY (a, b) REFERENCES parent (id, code) ON DELETE CASCADE);",
            "ALTER TABLE parent ADD CONSTRAINT parent_id_code_key UNIQUE (id, code);
             CREATE TABLE child (id integer PRIMARY KEY, a integer, b text, FOREIGN KEY (a, b) REFERENCES parent (id, code) MATCH FULL ON DELETE CASCADE);"
        )),
        sqlite: None,
    },
    Case {
        name: "unique constraint NULLS NOT DISTINCT",
        parent: false,
        pg: Some((
            "CREATE TABLE dataset (id integer PRIMARY KEY, name text, version text, CONSTRAINT dataset_name_version_key UNIQUE (name, version));",
            "CREATE TABLE dataset (id integer PRIMARY KEY, name text, version text, CONSTRAINT dataset_name_version_key UNIQUE NULLS NOT DISTINCT (name, version));",
        )),
        sqlite: None,
    },
    Case {
        name: "unique index NULLS NOT DISTINCT, partial",
        parent: false,
        pg: Some((
            "CREATE TABLE dataset (id integer PRIMARY KEY, name text, owner text);
             CREATE UNIQUE INDEX ix_dataset_name ON dataset (name, owner) WHERE id > 0;",
            "CREATE TABLE dataset (id integer PRIMARY KEY, name text, owner text);
             CREATE UNIQUE INDEX ix_dataset_name ON dataset (name, owner) NULLS NOT DISTINCT WHERE id > 0;",
        )),
        sqlite: None,
    },
    Case {
        name: "a foreign key onto a unique constraint whose NULLS NOT DISTINCT changes",
        parent: false,
        pg: Some((
            "CREATE TABLE dataset (id integer PRIMARY KEY, name text, CONSTRAINT dataset_name_key UNIQUE (name));
             CREATE TABLE dependency (id integer PRIMARY KEY, name text REFERENCES dataset (name));",
            "CREATE TABLE dataset (id integer PRIMARY KEY, name text, CONSTRAINT dataset_name_key UNIQUE NULLS NOT DISTINCT (name));
             CREATE TABLE dependency (id integer PRIMARY KEY, name text REFERENCES dataset (name));",
        )),
        sqlite: None,
    },
    Case {
        name: "index key made descending, then nulls last",
        parent: false,
        pg: Some((
            "CREATE TABLE visit (id integer PRIMARY KEY, at timestamp, name text);
             CREATE INDEX ix_visit_at ON visit (at);
             CREATE INDEX ix_visit_name ON visit (name DESC, id);",
            "CREATE TABLE visit (id integer PRIMARY KEY, at timestamp, name text);
             CREATE INDEX ix_visit_at ON visit (at DESC);
             CREATE INDEX ix_visit_name ON visit (name DESC NULLS LAST, id NULLS FIRST);",
        )),
        sqlite: Some((
            "CREATE TABLE visit (
    id INTEGER NOT NULL,
    at TIMESTAMP,
    name TEXT,
    CONSTRAINT visit_pkey PRIMARY KEY (id)
);
CREATE INDEX ix_visit_at ON visit (at);
CREATE INDEX ix_visit_name ON visit (name DESC, id);",
            "CREATE TABLE visit (
    id INTEGER NOT NULL,
    at TIMESTAMP,
    name TEXT,
    CONSTRAINT visit_pkey PRIMARY KEY (id)
);
CREATE INDEX ix_visit_at ON visit (at DESC);
CREATE INDEX ix_visit_name ON visit (name, id DESC);",
        )),
    },
    Case {
        name: "index operator class, collation and INCLUDE columns",
        parent: false,
        pg: Some((
            "CREATE TABLE doc (id integer PRIMARY KEY, body jsonb, name text, code varchar(8));
             CREATE INDEX ix_doc_body ON doc USING gin (body);
             CREATE INDEX ix_doc_name ON doc (name);
             CREATE INDEX ix_doc_code ON doc (code);
             CREATE UNIQUE INDEX ix_doc_id ON doc (id);",
            r#"CREATE TABLE doc (id integer PRIMARY KEY, body jsonb, name text, code varchar(8));
             CREATE INDEX ix_doc_body ON doc USING gin (body jsonb_path_ops);
             CREATE INDEX ix_doc_name ON doc (name COLLATE "C");
             CREATE INDEX ix_doc_code ON doc (code varchar_pattern_ops DESC);
             CREATE UNIQUE INDEX ix_doc_id ON doc (id) INCLUDE (name, code);"#,
        )),
        sqlite: Some((
            "CREATE TABLE doc (
    id INTEGER NOT NULL,
    name TEXT,
    CONSTRAINT doc_pkey PRIMARY KEY (id)
);
CREATE INDEX ix_doc_name ON doc (name);",
            "CREATE TABLE doc (
    id INTEGER NOT NULL,
    name TEXT,
    CONSTRAINT doc_pkey PRIMARY KEY (id)
);
CREATE INDEX ix_doc_name ON doc (name COLLATE NOCASE DESC);",
        )),
    },
    Case {
        name: "expression index key ordered",
        parent: false,
        pg: Some((
            "CREATE TABLE visit (id integer PRIMARY KEY, name text);
             CREATE INDEX ix_visit_lower ON visit ((lower(name)));",
            "CREATE TABLE visit (id integer PRIMARY KEY, name text);
             CREATE INDEX ix_visit_lower ON visit ((lower(name)) DESC NULLS LAST, id);",
        )),
        sqlite: Some((
            "CREATE TABLE visit (
    id INTEGER NOT NULL,
    name TEXT,
    CONSTRAINT visit_pkey PRIMARY KEY (id)
);
CREATE INDEX ix_visit_lower ON visit ((lower(name)));",
            "CREATE TABLE visit (
    id INTEGER NOT NULL,
    name TEXT,
    CONSTRAINT visit_pkey PRIMARY KEY (id)
);
CREATE INDEX ix_visit_lower ON visit ((lower(name)) DESC, id);",
        )),
    },
    Case {
        name: "keys, checks and indexes renamed",
        parent: true,
        pg: Some((
            "CREATE TABLE child (id integer CONSTRAINT child_pkey PRIMARY KEY, parent_id integer,
                 code text, n integer,
                 CONSTRAINT child_code_key UNIQUE (code),
                 CONSTRAINT child_n_check CHECK (n > 0),
                 CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parent (id));
             CREATE INDEX ix_child_n ON child (n);",
            "CREATE TABLE child (id integer CONSTRAINT child_pk PRIMARY KEY, parent_id integer,
                 code text, n integer,
                 CONSTRAINT child_code_unique UNIQUE (code),
                 CONSTRAINT n_positive CHECK (n > 0),
                 CONSTRAINT child_to_parent FOREIGN KEY (parent_id) REFERENCES parent (id));
             CREATE INDEX child_n_idx ON child (n);",
        )),
        sqlite: Some((
            "CREATE TABLE child (
    id INTEGER NOT NULL,
    parent_id INTEGER,
    code TEXT,
    n INTEGER,
    CONSTRAINT child_pkey PRIMARY KEY (id),
    CONSTRAINT child_code_key UNIQUE (code),
    CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parent (id),
    CONSTRAINT child_n_check CHECK (n > 0)
);
CREATE INDEX ix_child_n ON child (n);",
            "CREATE TABLE child (
    id INTEGER NOT NULL,
    parent_id INTEGER,
    code TEXT,
    n INTEGER,
    CONSTRAINT child_pk PRIMARY KEY (id),
    CONSTRAINT child_code_unique UNIQUE (code),
    CONSTRAINT child_to_parent FOREIGN KEY (parent_id) REFERENCES parent (id),
    CONSTRAINT n_positive CHECK (n > 0)
);
CREATE INDEX child_n_idx ON child (n);",
        )),
    },
    Case {
        name: "identity column added and dropped",
        parent: false,
        pg: Some((
            "CREATE TABLE t (id integer NOT NULL, name text);",
            "CREATE TABLE t (id integer GENERATED ALWAYS AS IDENTITY, name text);",
        )),
        sqlite: None,
    },
    Case {
        name: "identity kind and options changed",
        parent: false,
        pg: Some((
            "CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text);",
            "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY
                 (START WITH 100 INCREMENT BY 5 MAXVALUE 100000 CYCLE) PRIMARY KEY, name text);",
        )),
        sqlite: None,
    },
    Case {
        name: "serial widened to bigserial, and its sequence with it",
        parent: false,
        pg: Some((
            "CREATE TABLE t (id serial PRIMARY KEY, n smallserial);",
            "CREATE TABLE t (id bigserial PRIMARY KEY, n serial);",
        )),
        sqlite: None,
    },
    Case {
        name: "serial made identity",
        parent: false,
        pg: Some((
            "CREATE TABLE t (id serial PRIMARY KEY, name text);",
            "CREATE TABLE t (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text);",
        )),
        sqlite: None,
    },
    Case {
        name: "keywords as table, column, key and index names",
        parent: false,
        pg: Some((
            r#"CREATE TABLE "order" ("left" integer PRIMARY KEY, "user" text, "between" integer CHECK ("between" > 0));
               CREATE INDEX "join" ON "order" ("user");"#,
            r#"CREATE TABLE "order" ("left" integer PRIMARY KEY, "user" text, "between" integer CHECK ("between" > 0), "verbose" boolean DEFAULT false, "key" text UNIQUE);
               CREATE INDEX "join" ON "order" ("user", "between");
               CREATE TABLE "group" ("order" integer REFERENCES "order" ("left"));"#,
        )),
        sqlite: Some((
            r#"CREATE TABLE "order" (
    "left" INTEGER NOT NULL,
    "user" TEXT,
    "between" INTEGER,
    CONSTRAINT order_pkey PRIMARY KEY ("left"),
    CONSTRAINT order_check1 CHECK ("between" > 0)
);
CREATE INDEX "join" ON "order" ("user");"#,
            r#"CREATE TABLE "order" (
    "left" INTEGER NOT NULL,
    "user" TEXT,
    "between" INTEGER,
    "verbose" BOOLEAN DEFAULT (false),
    "key" TEXT,
    CONSTRAINT order_pkey PRIMARY KEY ("left"),
    CONSTRAINT order_key_key UNIQUE ("key"),
    CONSTRAINT order_check1 CHECK ("between" > 0)
);
CREATE INDEX "join" ON "order" ("user", "between");
CREATE TABLE "group" (
    "order" INTEGER,
    CONSTRAINT group_order_fkey FOREIGN KEY ("order") REFERENCES "order" ("left")
);"#,
        )),
    },
    Case {
        name: "names with spaces, quotes, mixed case and non-ASCII letters",
        parent: false,
        pg: Some((
            r#"CREATE TABLE "Größe Tabelle" ("Mixed Case" integer PRIMARY KEY, "a""quote" text);"#,
            r#"CREATE TABLE "Größe Tabelle" ("Mixed Case" integer PRIMARY KEY, "a""quote" varchar(10) NOT NULL, "größe" real);
               CREATE INDEX "Größe Index" ON "Größe Tabelle" ("a""quote");"#,
        )),
        sqlite: Some((
            r#"CREATE TABLE "Größe Tabelle" (
    "Mixed Case" INTEGER NOT NULL,
    "a""quote" TEXT,
    CONSTRAINT "Größe Tabelle_pkey" PRIMARY KEY ("Mixed Case")
);"#,
            r#"CREATE TABLE "Größe Tabelle" (
    "Mixed Case" INTEGER NOT NULL,
    "a""quote" TEXT NOT NULL,
    "größe" REAL,
    CONSTRAINT "Größe Tabelle_pkey" PRIMARY KEY ("Mixed Case")
);
CREATE INDEX "Größe Index" ON "Größe Tabelle" ("a""quote");"#,
        )),
    },
    Case {
        name: "a check whose grouping changes (AND binds before OR)",
        parent: false,
        pg: Some((
            "CREATE TABLE flag (a integer, b boolean, c boolean, CONSTRAINT flag_check CHECK (a > 0 AND (b OR c)));",
            "CREATE TABLE flag (a integer, b boolean, c boolean, CONSTRAINT flag_check CHECK ((a > 0 AND b) OR c));",
        )),
        sqlite: Some((
            "CREATE TABLE flag (
    a INTEGER,
    b BOOLEAN,
    c BOOLEAN,
    CONSTRAINT flag_check CHECK (a > 0 AND (b OR c))
);",
            "CREATE TABLE flag (
    a INTEGER,
    b BOOLEAN,
    c BOOLEAN,
    CONSTRAINT flag_check CHECK ((a > 0 AND b) OR c)
);",
        )),
    },
    Case {
        name: "a partial index whose predicate changes only inside quotes and in grouping",
        parent: false,
        pg: Some((
            "CREATE TABLE note (id integer, größe integer, body text);
             CREATE INDEX ix_note ON note (id) WHERE größe > 0 AND (body = 'a  b' OR id > 1);",
            "CREATE TABLE note (id integer, größe integer, body text);
             CREATE INDEX ix_note ON note (id) WHERE (größe > 0 AND body = 'a b') OR id > 1;",
        )),
        sqlite: Some((
            "CREATE TABLE note (
    id INTEGER,
    größe INTEGER,
    body TEXT
);
CREATE INDEX ix_note ON note (id) WHERE größe > 0 AND (body = 'a  b' OR id > 1);",
            "CREATE TABLE note (
    id INTEGER,
    größe INTEGER,
    body TEXT
);
CREATE INDEX ix_note ON note (id) WHERE (größe > 0 AND body = 'a b') OR id > 1;",
        )),
    },
    Case {
        name: "column collation set, with an index on the column",
        parent: false,
        pg: Some((
            "CREATE TABLE label (id integer PRIMARY KEY, note text, code varchar(8) COLLATE \"POSIX\");
             CREATE INDEX ix_label_note ON label (note);",
            "CREATE TABLE label (id integer PRIMARY KEY, note text COLLATE \"C\", code varchar(8));
             CREATE INDEX ix_label_note ON label (note);",
        )),
        sqlite: Some((
            "CREATE TABLE label (
    id INTEGER NOT NULL,
    note TEXT,
    code VARCHAR(8) COLLATE \"RTRIM\",
    CONSTRAINT label_pkey PRIMARY KEY (id)
);
CREATE INDEX ix_label_note ON label (note);",
            "CREATE TABLE label (
    id INTEGER NOT NULL,
    note TEXT COLLATE \"NOCASE\",
    code VARCHAR(8),
    CONSTRAINT label_pkey PRIMARY KEY (id)
);
CREATE INDEX ix_label_note ON label (note);",
        )),
    },
    Case {
        name: "names swapped between two indexes and between two checks",
        parent: false,
        pg: Some((
            "CREATE TABLE swap (a integer, b integer, CONSTRAINT swap_c1 CHECK (a > 0), CONSTRAINT swap_c2 CHECK (b > 0));
             CREATE INDEX ix_swap_1 ON swap (a); CREATE INDEX ix_swap_2 ON swap (b);",
            "CREATE TABLE swap (a integer, b integer, CONSTRAINT swap_c2 CHECK (a > 0), CONSTRAINT swap_c1 CHECK (b > 0));
             CREATE INDEX ix_swap_2 ON swap (a); CREATE INDEX ix_swap_1 ON swap (b);",
        )),
        sqlite: Some((
            "CREATE TABLE swap (
    a INTEGER,
    b INTEGER,
    CONSTRAINT swap_c1 CHECK (a > 0),
    CONSTRAINT swap_c2 CHECK (b > 0)
);
CREATE INDEX ix_swap_1 ON swap (a);
CREATE INDEX ix_swap_2 ON swap (b);",
            "CREATE TABLE swap (
    a INTEGER,
    b INTEGER,
    CONSTRAINT swap_c2 CHECK (a > 0),
    CONSTRAINT swap_c1 CHECK (b > 0)
);
CREATE INDEX ix_swap_2 ON swap (a);
CREATE INDEX ix_swap_1 ON swap (b);",
        )),
    },
    Case {
        name: "a numeric without a scale keeps the scale of its default (5 is not 5.0)",
        parent: false,
        pg: Some((
            "CREATE TABLE amount (id integer, n numeric DEFAULT 5, d double precision DEFAULT 5);",
            "CREATE TABLE amount (id integer, n numeric DEFAULT 5.0, d double precision DEFAULT 5);",
        )),
        sqlite: None,
    },
    Case {
        name: "types PostgreSQL converts only with a cast (varchar to integer, integer to boolean)",
        parent: false,
        pg: Some((
            "CREATE TABLE reading (id integer, n varchar(10), ok integer, at numeric);",
            "CREATE TABLE reading (id integer, n integer, ok boolean, at timestamp);",
        )),
        sqlite: Some((
            "CREATE TABLE reading (
    id INTEGER,
    n VARCHAR(10),
    ok INTEGER
);",
            "CREATE TABLE reading (
    id INTEGER,
    n INTEGER,
    ok BOOLEAN
);",
        )),
    },
    Case {
        name: "generated column added",
        parent: false,
        pg: Some((
            "CREATE TABLE shot (id integer PRIMARY KEY, a integer);",
            "CREATE TABLE shot (id integer PRIMARY KEY, a integer, b integer GENERATED ALWAYS AS (a * 2) STORED);",
        )),
        sqlite: Some((
            "CREATE TABLE shot (
    id INTEGER NOT NULL,
    a INTEGER,
    CONSTRAINT shot_pkey PRIMARY KEY (id)
);",
            "CREATE TABLE shot (
    id INTEGER NOT NULL,
    a INTEGER,
    b INTEGER GENERATED ALWAYS AS (a * 2) STORED,
    c INTEGER GENERATED ALWAYS AS (a + 1) VIRTUAL,
    CONSTRAINT shot_pkey PRIMARY KEY (id)
);",
        )),
    },
    Case {
        name: "generated column's expression changed, an index and a check on it",
        parent: false,
        pg: Some((
            "CREATE TABLE shot (id integer PRIMARY KEY, a integer, b integer GENERATED ALWAYS AS (a * 2) STORED CONSTRAINT shot_b_check CHECK (b >= 0));
             CREATE INDEX ix_shot_b ON shot (b);",
            "CREATE TABLE shot (id integer PRIMARY KEY, a integer, b integer GENERATED ALWAYS AS ((a * 3) + 1) STORED CONSTRAINT shot_b_check CHECK (b >= 0));
             CREATE INDEX ix_shot_b ON shot (b);",
        )),
        sqlite: Some((
            "CREATE TABLE shot (
    id INTEGER NOT NULL,
    a INTEGER,
    b INTEGER GENERATED ALWAYS AS (a * 2) STORED,
    CONSTRAINT shot_pkey PRIMARY KEY (id)
);
CREATE INDEX ix_shot_b ON shot (b);",
            "CREATE TABLE shot (
    id INTEGER NOT NULL,
    a INTEGER,
    b INTEGER GENERATED ALWAYS AS (a * 3 + 1) STORED,
    CONSTRAINT shot_pkey PRIMARY KEY (id)
);
CREATE INDEX ix_shot_b ON shot (b);",
        )),
    },
    Case {
        name: "generated column made plain, and plain made generated",
        parent: false,
        pg: Some((
            "CREATE TABLE shot (id integer PRIMARY KEY, a integer, b integer GENERATED ALWAYS AS (a * 2) STORED);",
            "CREATE TABLE shot (id integer PRIMARY KEY, a integer, b integer);",
        )),
        sqlite: Some((
            "CREATE TABLE shot (
    id INTEGER NOT NULL,
    a INTEGER,
    b INTEGER GENERATED ALWAYS AS (a * 2) VIRTUAL,
    CONSTRAINT shot_pkey PRIMARY KEY (id)
);",
            "CREATE TABLE shot (
    id INTEGER NOT NULL,
    a INTEGER,
    b INTEGER,
    CONSTRAINT shot_pkey PRIMARY KEY (id)
);",
        )),
    },
    // Views, materialized views, functions and triggers (SQLite has no functions or
    // materialized views: there its own views and triggers).
    Case {
        name: "view's query changed, its columns kept: replaced, the view reading it kept",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, name text, qty integer);
             CREATE VIEW item_names AS SELECT id, name FROM item;
             CREATE VIEW item_names_only AS SELECT name FROM item_names;",
            "CREATE TABLE item (id integer PRIMARY KEY, name text, qty integer);
             CREATE VIEW item_names AS SELECT id, upper(name) AS name FROM item WHERE qty > 0;
             CREATE VIEW item_names_only AS SELECT name FROM item_names;",
        )),
        sqlite: Some((
            "CREATE TABLE item (
    id INTEGER NOT NULL,
    name TEXT,
    qty INTEGER,
    CONSTRAINT item_pkey PRIMARY KEY (id)
);
CREATE VIEW item_names AS SELECT id, name FROM item;
CREATE VIEW item_names_only AS SELECT name FROM item_names;",
            "CREATE TABLE item (
    id INTEGER NOT NULL,
    name TEXT,
    qty INTEGER,
    CONSTRAINT item_pkey PRIMARY KEY (id)
);
CREATE VIEW item_names AS SELECT id, upper(name) AS name FROM item WHERE qty > 0;
CREATE VIEW item_names_only AS SELECT name FROM item_names;",
        )),
    },
    Case {
        name: "view's columns changed: dropped and made again, with the view reading it",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, name text, qty integer);
             CREATE VIEW item_names AS SELECT id, name FROM item;
             CREATE VIEW item_names_only AS SELECT name FROM item_names;",
            "CREATE TABLE item (id integer PRIMARY KEY, name text, qty integer);
             CREATE VIEW item_names AS SELECT name, qty, id FROM item;
             CREATE VIEW item_names_only AS SELECT name FROM item_names;",
        )),
        sqlite: None,
    },
    Case {
        name: "column a view reads dropped, a view that does not read it kept",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, name text, qty integer);
             CREATE VIEW item_qty AS SELECT id, qty FROM item;
             CREATE VIEW item_names AS SELECT id, name FROM item;",
            "CREATE TABLE item (id integer PRIMARY KEY, name text);
             CREATE VIEW item_qty AS SELECT id FROM item;
             CREATE VIEW item_names AS SELECT id, name FROM item;",
        )),
        sqlite: Some((
            "CREATE TABLE item (
    id INTEGER NOT NULL,
    name TEXT,
    qty INTEGER,
    CONSTRAINT item_pkey PRIMARY KEY (id)
);
CREATE VIEW item_qty AS SELECT id, qty FROM item;
CREATE VIEW item_names AS SELECT id, name FROM item;",
            "CREATE TABLE item (
    id INTEGER NOT NULL,
    name TEXT,
    CONSTRAINT item_pkey PRIMARY KEY (id)
);
CREATE VIEW item_qty AS SELECT id FROM item;
CREATE VIEW item_names AS SELECT id, name FROM item;",
        )),
    },
    Case {
        name: "type of a column a chain of views and a materialized view read changed",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, name text, qty integer);
             CREATE VIEW v1 AS SELECT id, qty FROM item;
             CREATE VIEW v2 AS SELECT id, qty FROM v1 WHERE qty > 1;
             CREATE VIEW v3 AS SELECT count(*) AS n, sum(qty) AS total FROM v2;
             CREATE MATERIALIZED VIEW m AS SELECT id, qty FROM v2;
             CREATE UNIQUE INDEX m_id ON m (id);",
            "CREATE TABLE item (id integer PRIMARY KEY, name text, qty bigint);
             CREATE VIEW v1 AS SELECT id, qty FROM item;
             CREATE VIEW v2 AS SELECT id, qty FROM v1 WHERE qty > 1;
             CREATE VIEW v3 AS SELECT count(*) AS n, sum(qty) AS total FROM v2;
             CREATE MATERIALIZED VIEW m AS SELECT id, qty FROM v2;
             CREATE UNIQUE INDEX m_id ON m (id);",
        )),
        sqlite: Some((
            "CREATE TABLE item (
    id INTEGER NOT NULL,
    name TEXT,
    qty INTEGER,
    CONSTRAINT item_pkey PRIMARY KEY (id)
);
CREATE VIEW v1 AS SELECT id, qty FROM item;
CREATE VIEW v2 AS SELECT id, qty FROM v1 WHERE qty > 1;
CREATE VIEW v3 AS SELECT count(*) AS n, sum(qty) AS total FROM v2;\nCREATE VIEW item_names AS SELECT id, name FROM item;",
            "CREATE TABLE item (
    id INTEGER NOT NULL,
    name TEXT,
    qty BIGINT,
    CONSTRAINT item_pkey PRIMARY KEY (id)
);
CREATE VIEW v1 AS SELECT id, qty FROM item;
CREATE VIEW v2 AS SELECT id, qty FROM v1 WHERE qty > 1;
CREATE VIEW v3 AS SELECT count(*) AS n, sum(qty) AS total FROM v2;\nCREATE VIEW item_names AS SELECT id, name FROM item;",
        )),
    },
    Case {
        name: "index added to a materialized view",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, name text);
             CREATE MATERIALIZED VIEW m AS SELECT id, name FROM item;
             CREATE UNIQUE INDEX m_id ON m (id);",
            "CREATE TABLE item (id integer PRIMARY KEY, name text);
             CREATE MATERIALIZED VIEW m AS SELECT id, name FROM item;
             CREATE UNIQUE INDEX m_id ON m (id);
             CREATE INDEX m_name ON m (lower(name)) WHERE name IS NOT NULL;",
        )),
        sqlite: None,
    },
    Case {
        name: "materialized view's query changed",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, name text);
             CREATE MATERIALIZED VIEW m AS SELECT id, name FROM item;
             CREATE UNIQUE INDEX m_id ON m (id);",
            "CREATE TABLE item (id integer PRIMARY KEY, name text);
             CREATE MATERIALIZED VIEW m AS SELECT id, name FROM item WHERE name <> '';
             CREATE UNIQUE INDEX m_id ON m (id);",
        )),
        sqlite: None,
    },
    Case {
        name: "function body changed, a view calling it kept",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, qty integer);
             CREATE FUNCTION bump(a integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a + 1 $$;
             CREATE VIEW bumped AS SELECT id, bump(qty) AS qty FROM item;",
            "CREATE TABLE item (id integer PRIMARY KEY, qty integer);
             CREATE FUNCTION bump(a integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a + 2 $$;
             CREATE VIEW bumped AS SELECT id, bump(qty) AS qty FROM item;",
        )),
        sqlite: None,
    },
    Case {
        name: "overload added and overload dropped",
        parent: false,
        pg: Some((
            "CREATE FUNCTION size_gb(bytes bigint) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT bytes / 1e9 $$;
             CREATE FUNCTION size_gb(bytes text) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT bytes::bigint / 1e9 $$;",
            "CREATE FUNCTION size_gb(bytes bigint) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT bytes / 1e9 $$;
             CREATE FUNCTION size_gb(bytes bigint, digits integer) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT round(bytes / 1e9, digits) $$;",
        )),
        sqlite: None,
    },
    Case {
        name: "function's result changed under a view that calls it, a trigger's function's body changed",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, qty integer, touched timestamptz);
             CREATE FUNCTION answer() RETURNS integer LANGUAGE sql AS $$ SELECT 42 $$;
             CREATE VIEW answers AS SELECT id, answer() AS a FROM item;
             CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := now(); RETURN NEW; END $$;
             CREATE TRIGGER item_touch BEFORE UPDATE ON item FOR EACH ROW EXECUTE FUNCTION touch();",
            "CREATE TABLE item (id integer PRIMARY KEY, qty integer, touched timestamptz);
             CREATE FUNCTION answer() RETURNS bigint LANGUAGE sql AS $$ SELECT 42 $$;
             CREATE VIEW answers AS SELECT id, answer() AS a FROM item;
             CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := now(); NEW.qty := coalesce(NEW.qty, 0); RETURN NEW; END $$;
             CREATE TRIGGER item_touch BEFORE UPDATE ON item FOR EACH ROW EXECUTE FUNCTION touch();",
        )),
        sqlite: None,
    },
    Case {
        name: "trigger's events changed, and a second trigger added",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, qty integer);
             CREATE FUNCTION fill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.qty := coalesce(NEW.qty, 0); RETURN NEW; END $$;
             CREATE TRIGGER item_fill BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION fill();",
            "CREATE TABLE item (id integer PRIMARY KEY, qty integer);
             CREATE FUNCTION fill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.qty := coalesce(NEW.qty, 0); RETURN NEW; END $$;
             CREATE TRIGGER item_fill BEFORE INSERT OR UPDATE OF qty ON item FOR EACH ROW EXECUTE FUNCTION fill();
             CREATE TRIGGER item_fill_again BEFORE INSERT ON item FOR EACH ROW WHEN (NEW.id > 100) EXECUTE FUNCTION fill();",
        )),
        sqlite: Some((
            "CREATE TABLE item (
    id INTEGER NOT NULL,
    name TEXT,
    qty INTEGER,
    CONSTRAINT item_pkey PRIMARY KEY (id)
);
CREATE TRIGGER item_fill AFTER INSERT ON item BEGIN UPDATE item SET qty = 0 WHERE id = NEW.id AND qty IS NULL; END;",
            "CREATE TABLE item (
    id INTEGER NOT NULL,
    name TEXT,
    qty INTEGER,
    CONSTRAINT item_pkey PRIMARY KEY (id)
);
CREATE TRIGGER item_fill AFTER INSERT ON item WHEN NEW.qty IS NULL BEGIN UPDATE item SET qty = 0 WHERE id = NEW.id; END;
CREATE TRIGGER item_fill_again AFTER UPDATE OF qty ON item BEGIN UPDATE item SET name = 'x' WHERE id = NEW.id; END;",
        )),
    },
    Case {
        name: "a default taken off a function's argument: dropped and made again",
        parent: false,
        pg: Some((
            "CREATE FUNCTION scaled(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql AS $$ SELECT a * b $$;",
            "CREATE FUNCTION scaled(a integer, b integer) RETURNS integer LANGUAGE sql AS $$ SELECT a * b $$;",
        )),
        sqlite: None,
    },
    Case {
        name: "table a view reads dropped, the view reading another",
        parent: false,
        pg: Some((
            "CREATE TABLE old_item (id integer PRIMARY KEY, qty integer);
             CREATE VIEW stock AS SELECT id, qty FROM old_item;",
            "CREATE TABLE item (id integer PRIMARY KEY, qty integer);
             CREATE VIEW stock AS SELECT id, qty FROM item;",
        )),
        sqlite: None,
    },
    Case {
        name: "enum label taken away under a view",
        parent: false,
        pg: Some((
            "CREATE TYPE mood AS ENUM ('ok', 'bad', 'meh');
             CREATE TABLE visit (id integer PRIMARY KEY, feeling mood);
             CREATE VIEW feelings AS SELECT id, feeling FROM visit;",
            "CREATE TYPE mood AS ENUM ('ok', 'bad');
             CREATE TABLE visit (id integer PRIMARY KEY, feeling mood);
             CREATE VIEW feelings AS SELECT id, feeling FROM visit;",
        )),
        sqlite: None,
    },
    Case {
        name: "view with an INSTEAD OF trigger made again, and its trigger with it",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, name text, qty integer);
             CREATE VIEW item_names AS SELECT id, name FROM item;
             CREATE FUNCTION put_name() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO item (id, name) VALUES (NEW.id, NEW.name); RETURN NEW; END $$;
             CREATE TRIGGER item_names_put INSTEAD OF INSERT ON item_names FOR EACH ROW EXECUTE FUNCTION put_name();",
            "CREATE TABLE item (id integer PRIMARY KEY, name text, qty integer);
             CREATE VIEW item_names AS SELECT name, id FROM item;
             CREATE FUNCTION put_name() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO item (id, name) VALUES (NEW.id, NEW.name); RETURN NEW; END $$;
             CREATE TRIGGER item_names_put INSTEAD OF INSERT ON item_names FOR EACH ROW EXECUTE FUNCTION put_name();",
        )),
        sqlite: None,
    },
    Case {
        name: "a function a default calls, made with its table",
        parent: false,
        pg: Some((
            "CREATE TABLE other (id integer PRIMARY KEY);",
            "CREATE TABLE other (id integer PRIMARY KEY);
             CREATE FUNCTION new_code() RETURNS text LANGUAGE sql AS $$ SELECT md5(random()::text) $$;
             CREATE TABLE item (id integer PRIMARY KEY, code text DEFAULT new_code());",
        )),
        sqlite: None,
    },
    Case {
        name: "a check calling a function, dropped with it",
        parent: false,
        pg: Some((
            "CREATE FUNCTION valid(x integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT x > 0 $$;
             CREATE TABLE item (id integer PRIMARY KEY, qty integer CONSTRAINT item_qty_check CHECK (valid(qty)));",
            "CREATE TABLE item (id integer PRIMARY KEY, qty integer);",
        )),
        sqlite: None,
    },
    Case {
        name: "type of a column a trigger names changed",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, price numeric, touched timestamptz);
             CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := now(); RETURN NEW; END $$;
             CREATE TRIGGER item_price BEFORE UPDATE OF price ON item FOR EACH ROW EXECUTE FUNCTION touch();",
            "CREATE TABLE item (id integer PRIMARY KEY, price bigint, touched timestamptz);
             CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := now(); RETURN NEW; END $$;
             CREATE TRIGGER item_price BEFORE UPDATE OF price ON item FOR EACH ROW EXECUTE FUNCTION touch();",
        )),
        sqlite: None,
    },
    Case {
        name: "a column added to a function's result table",
        parent: false,
        pg: Some((
            "CREATE FUNCTION windows() RETURNS TABLE(id integer, window_start timestamptz) LANGUAGE sql AS $$ SELECT 1, now() $$;",
            "CREATE FUNCTION windows() RETURNS TABLE(id integer, window_start timestamptz, cost numeric) LANGUAGE sql AS $$ SELECT 1, now(), 1.0 $$;",
        )),
        sqlite: None,
    },
    Case {
        name: "a trigger changed while its table is rebuilt (SQLite)",
        parent: false,
        pg: None,
        sqlite: Some((
            "CREATE TABLE item (
    id INTEGER NOT NULL,
    name TEXT,
    qty INTEGER,
    CONSTRAINT item_pkey PRIMARY KEY (id)
);
CREATE TRIGGER Item_Fill AFTER INSERT ON item BEGIN UPDATE item SET name = 'x' WHERE id = NEW.id; END;",
            "CREATE TABLE item (
    id INTEGER NOT NULL,
    name TEXT,
    qty BIGINT,
    CONSTRAINT item_pkey PRIMARY KEY (id)
);
CREATE TRIGGER Item_Fill AFTER INSERT ON item BEGIN UPDATE item SET name = 'y' WHERE id = NEW.id; END;",
        )),
    },
    Case {
        name: "enum label taken away under a function taking it and a view casting to it",
        parent: false,
        pg: Some((
            "CREATE TYPE mood AS ENUM ('ok', 'bad', 'meh');
             CREATE FUNCTION cheer(m mood) RETURNS mood LANGUAGE sql AS $$ SELECT 'ok'::mood $$;
             CREATE VIEW moods AS SELECT 'ok'::mood AS m;",
            "CREATE TYPE mood AS ENUM ('ok', 'bad');
             CREATE FUNCTION cheer(m mood) RETURNS mood LANGUAGE sql AS $$ SELECT 'ok'::mood $$;
             CREATE VIEW moods AS SELECT 'ok'::mood AS m;",
        )),
        sqlite: None,
    },
    Case {
        name: "comments on a view, a materialized view and a function changed, one made again",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, name text);
             CREATE VIEW item_names AS SELECT id, name FROM item;
             COMMENT ON VIEW item_names IS 'Names';
             CREATE VIEW item_ids AS SELECT id FROM item;
             CREATE MATERIALIZED VIEW item_count AS SELECT count(*) AS n FROM item;
             CREATE FUNCTION bump(a integer) RETURNS integer LANGUAGE sql AS $$ SELECT a + 1 $$;
             COMMENT ON FUNCTION bump(integer) IS 'Adds one';",
            "CREATE TABLE item (id integer PRIMARY KEY, name text);
             CREATE VIEW item_names AS SELECT name, id FROM item;
             COMMENT ON VIEW item_names IS 'Names, it''s said';
             CREATE VIEW item_ids AS SELECT id FROM item;
             COMMENT ON VIEW item_ids IS 'Keys';
             CREATE MATERIALIZED VIEW item_count AS SELECT count(*) AS n FROM item;
             COMMENT ON MATERIALIZED VIEW item_count IS 'How many';
             CREATE FUNCTION bump(a integer) RETURNS integer LANGUAGE sql AS $$ SELECT a + 2 $$;
             COMMENT ON FUNCTION bump(integer) IS 'Adds two';",
        )),
        sqlite: None,
    },
    Case {
        name: "every view, materialized view, function and trigger dropped",
        parent: false,
        pg: Some((
            "CREATE TABLE item (id integer PRIMARY KEY, name text, qty integer);
             CREATE FUNCTION bump(a integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT a + 1 $$;
             CREATE FUNCTION bump(a bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT a + 1 $$;
             CREATE FUNCTION fill() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.qty := coalesce(NEW.qty, 0); RETURN NEW; END $$;
             CREATE TRIGGER item_fill BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION fill();
             CREATE VIEW v1 AS SELECT id, bump(qty) AS qty FROM item;
             CREATE VIEW v2 AS SELECT id FROM v1;
             CREATE MATERIALIZED VIEW m AS SELECT id, qty FROM v1;
             CREATE UNIQUE INDEX m_id ON m (id);
             CREATE MATERIALIZED VIEW m2 AS SELECT count(*) AS n FROM m;",
            "CREATE TABLE item (id integer PRIMARY KEY, name text, qty integer);",
        )),
        sqlite: Some((
            "CREATE TABLE item (
    id INTEGER NOT NULL,
    name TEXT,
    qty INTEGER,
    CONSTRAINT item_pkey PRIMARY KEY (id)
);
CREATE TRIGGER item_fill AFTER INSERT ON item BEGIN UPDATE item SET qty = 0 WHERE id = NEW.id AND qty IS NULL; END;
CREATE VIEW v1 AS SELECT id, qty FROM item;
CREATE VIEW v2 AS SELECT id FROM v1;",
            "CREATE TABLE item (
    id INTEGER NOT NULL,
    name TEXT,
    qty INTEGER,
    CONSTRAINT item_pkey PRIMARY KEY (id)
);",
        )),
    },
];

/// The schema of the database at `url` as the database itself reports it.
async fn judge(backend: DbBackend, url: &str) -> String {
    match backend {
        DbBackend::Postgres => common::pg_dump_schema(url),
        _ => common::sqlite_schema(url).await,
    }
}

async fn build(backend: DbBackend, parent: bool, sql: &str) -> Option<common::Db> {
    let db = common::database(backend, "judged").await?;
    if parent {
        let parent = match backend {
            DbBackend::Postgres => PARENT_PG,
            _ => PARENT_SQLITE,
        };
        common::execute(&db.url, parent).await;
    }
    common::execute(&db.url, sql).await;
    Some(db)
}

/// Applies `diff --from from --to to --sql` to `from` and judges the result. Returns what went
/// wrong, if anything.
async fn one_way(backend: DbBackend, context: &str, from: &str, to: &str) -> Option<String> {
    let ops = common::diff(from, to, false).await;
    if ops.contains("No differences") {
        return Some(format!("{context}: diff finds nothing"));
    }
    let script = common::diff(from, to, true).await;
    let db = migration::db::connect(from).await.unwrap();
    let applied = db.execute_unprepared(&script).await;
    db.close().await.ok();
    if let Err(e) = applied {
        return Some(format!("{context}: the script fails: {e}\n{script}"));
    }
    let (got, wanted) = (judge(backend, from).await, judge(backend, to).await);
    if got != wanted {
        return Some(format!(
            "{context}: the database disagrees after the script\n{}\n{script}",
            common::first_difference(&got, &wanted, ("applied", "wanted"))
        ));
    }
    let again = common::diff(from, to, false).await;
    (again.trim() != "// No differences")
        .then(|| format!("{context}: diff after the script: {again}\n{script}"))
}

/// One case on one backend: the twin, forward and back.
async fn run_case(backend: DbBackend, case: &Case) -> Vec<String> {
    let Some((a, b)) = (match backend {
        DbBackend::Postgres => case.pg,
        _ => case.sqlite,
    }) else {
        return Vec::new();
    };
    let context = |way: &str| format!("{backend:?}, {}, {way}", case.name);
    let (Some(x), Some(y), Some(z)) = (
        build(backend, case.parent, a).await,
        build(backend, case.parent, b).await,
        build(backend, case.parent, a).await,
    ) else {
        return Vec::new();
    };
    let mut failures = Vec::new();
    if judge(backend, &x.url).await == judge(backend, &y.url).await {
        failures.push(format!("{}: A and B are the same schema", context("case")));
    }
    let twin = common::diff(&x.url, &z.url, false).await;
    if twin.trim() != "// No differences" {
        failures.push(format!("{}: {twin}", context("no-change twin")));
    }
    failures.extend(one_way(backend, &context("forward"), &x.url, &y.url).await);
    failures.extend(one_way(backend, &context("back"), &y.url, &z.url).await);
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn table_features_diff_into_scripts_the_databases_agree_with() {
    if !common::pg_dump_runs("table_features_diff_into_scripts_the_databases_agree_with") {
        return;
    }
    let slots = Arc::new(tokio::sync::Semaphore::new(3));
    let mut runs = tokio::task::JoinSet::new();
    for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
        for case in CASES {
            let slots = slots.clone();
            runs.spawn(async move {
                let _slot = slots.acquire_owned().await.unwrap();
                run_case(backend, case).await
            });
        }
    }
    let mut failures = Vec::new();
    while let Some(result) = runs.join_next().await {
        match result {
            Ok(f) => failures.extend(f),
            Err(panic) => failures.push(format!("a case panicked: {panic}")),
        }
    }
    let ran = CASES.iter().filter(|c| c.pg.is_some()).count()
        + CASES.iter().filter(|c| c.sqlite.is_some()).count();
    assert!(
        failures.is_empty(),
        "{} failures in {ran} cases:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// A type change PostgreSQL makes only with `USING` (text to integer, integer to boolean,
/// numeric to timestamp): `diff` writes the cast, and on both backends the script converts the
/// rows that are there, read back as values of the new type.
#[tokio::test]
async fn type_changes_without_an_assignment_cast_convert_the_rows() {
    const PG_FROM: &str =
        "CREATE TABLE reading (id integer PRIMARY KEY, n varchar(10), ok integer, at numeric);
        INSERT INTO reading VALUES (1, '12', 1, NULL), (2, ' 7', 0, NULL);";
    const PG_TO: &str =
        "CREATE TABLE reading (id integer PRIMARY KEY, n integer, ok boolean, at timestamp);";
    const SQLITE_FROM: &str = "CREATE TABLE reading (
    id INTEGER NOT NULL,
    n VARCHAR(10),
    ok INTEGER,
    at NUMERIC,
    CONSTRAINT reading_pkey PRIMARY KEY (id)
);
INSERT INTO reading VALUES (1, '12', 1, NULL), (2, ' 7', 0, NULL);";
    const SQLITE_TO: &str = "CREATE TABLE reading (
    id INTEGER NOT NULL,
    n INTEGER,
    ok BOOLEAN,
    at TIMESTAMP,
    CONSTRAINT reading_pkey PRIMARY KEY (id)
);";
    for (backend, from_sql, to_sql) in [
        (DbBackend::Postgres, PG_FROM, PG_TO),
        (DbBackend::Sqlite, SQLITE_FROM, SQLITE_TO),
    ] {
        let (Some(from), Some(to)) = (
            build(backend, false, from_sql).await,
            build(backend, false, to_sql).await,
        ) else {
            continue;
        };
        let ops = common::diff(&from.url, &to.url, false).await;
        assert_eq!(ops.matches(".cast()").count(), 3, "{backend:?}: {ops}");
        let script = common::diff(&from.url, &to.url, true).await;
        let db = migration::db::connect(&from.url).await.unwrap();
        db.execute_unprepared(&script)
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: {e}\n{script}"));
        let sum = match backend {
            DbBackend::Postgres => "SELECT (sum(n + 1))::text AS v, string_agg(ok::text, ',' ORDER BY id) AS w FROM reading",
            _ => "SELECT CAST(sum(n + 1) AS TEXT) AS v, group_concat(typeof(n) || ok, ',') AS w FROM reading",
        };
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(backend, sum))
            .await
            .unwrap()
            .unwrap();
        db.close().await.ok();
        let got: (String, String) = (row.try_get("", "v").unwrap(), row.try_get("", "w").unwrap());
        let wanted = match backend {
            DbBackend::Postgres => ("21", "true,false"),
            _ => ("21", "integer1,integer0"),
        };
        assert_eq!(
            (got.0.as_str(), got.1.as_str()),
            wanted,
            "{backend:?}\n{script}"
        );
        assert_eq!(
            judge(backend, &from.url).await,
            judge(backend, &to.url).await
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The same features through a revision file: written by autogenerate, compiled in, upgraded.

use migration::autogenerate::{self, Hints};
use migration::schema::{
    Column, ColumnType as T, FkAction, ForeignKey, Index, Schema, Table, UniqueConstraint,
};

#[allow(unused_variables)]
#[path = "fixtures/revisions/n1_table_options.rs"]
mod n1;

const N1: &str = "0f7105000001_table_options.rs";
const N1_TEXT: &str = include_str!("fixtures/revisions/n1_table_options.rs");

/// A model with every option these cases cover, built as a revision file builds it.
fn options_model() -> Schema {
    let mut s = Schema::default();
    for t in [
        Table::new("parent")
            .col(Column::new("id", T::Integer).not_null())
            .col(Column::new("code", T::Text))
            .primary_key(["id"])
            .unique(["id", "code"]),
        Table::new("run")
            .col(
                Column::new("id", T::BigInt)
                    .identity_always()
                    .identity_start(100)
                    .identity_increment(5),
            )
            .col(Column::new("n", T::Integer).identity_by_default())
            .col(Column::new("twice", T::BigInt).generated_stored("(n * 2) + 1"))
            .primary_key(["id"]),
        Table::new("child")
            .col(Column::new("id", T::Integer).not_null())
            .col(Column::new("parent_id", T::Integer))
            .col(Column::new("code", T::Text))
            .primary_key(["id"])
            .foreign_key(ForeignKey::new(["parent_id"], "parent", ["id"]).initially_deferred())
            .foreign_key(
                ForeignKey::new(["parent_id", "code"], "parent", ["id", "code"])
                    .match_full()
                    .on_delete(FkAction::Cascade)
                    .deferrable(),
            ),
        Table::new("dataset")
            .col(Column::new("id", T::Integer).not_null())
            .col(Column::new("name", T::Text))
            .col(Column::new("version", T::Text))
            .col(Column::new("left", T::Text))
            .col(Column::new("meta", T::Jsonb))
            .primary_key(["id"])
            .unique_key(UniqueConstraint::new(["name", "version"]).nulls_not_distinct())
            .unique_key(
                UniqueConstraint::new(["left"])
                    .name("dataset_left_unique")
                    .nulls_not_distinct(),
            )
            .index(
                Index::new("ix_dataset_version", ["version", "left"])
                    .unique()
                    .nulls_not_distinct(),
            )
            .index(
                Index::new("ix_dataset_name", [])
                    .column("name")
                    .collate("C")
                    .desc()
                    .nulls_last()
                    .column("version")
                    .include(["left"]),
            )
            .index(
                Index::new("ix_dataset_meta", [])
                    .column("meta")
                    .opclass("jsonb_path_ops")
                    .using("gin"),
            ),
    ] {
        s.tables.insert(t.name.clone(), t);
    }
    migration::normalize::schema(&mut s);
    s
}

/// The same schema as plain SQL.
const OPTIONS_SQL: &str = r#"
CREATE TABLE parent (id integer PRIMARY KEY, code text, CONSTRAINT parent_id_code_key UNIQUE (id, code));
CREATE TABLE run (
    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 5) PRIMARY KEY,
    n integer GENERATED BY DEFAULT AS IDENTITY,
    twice bigint GENERATED ALWAYS AS (n * 2 + 1) STORED
);
CREATE TABLE child (
    id integer PRIMARY KEY,
    parent_id integer,
    code text,
    CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT child_parent_id_code_fkey FOREIGN KEY (parent_id, code) REFERENCES parent (id, code)
        MATCH FULL ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE
);
CREATE TABLE dataset (
    id integer PRIMARY KEY,
    name text,
    version text,
    "left" text,
    meta jsonb,
    CONSTRAINT dataset_name_version_key UNIQUE NULLS NOT DISTINCT (name, version),
    CONSTRAINT dataset_left_unique UNIQUE NULLS NOT DISTINCT ("left")
);
CREATE UNIQUE INDEX ix_dataset_version ON dataset (version, "left") NULLS NOT DISTINCT;
CREATE INDEX ix_dataset_name ON dataset (name COLLATE "C" DESC NULLS LAST, version) INCLUDE ("left");
CREATE INDEX ix_dataset_meta ON dataset USING gin (meta jsonb_path_ops);
"#;

fn options_revision_text() -> String {
    let (upgrade, downgrade) =
        autogenerate::revision_ops(&Schema::default(), &options_model(), &Hints::default())
            .unwrap();
    let mut file = migration::revision_file::RevisionFile::new(
        Some("0f7105000001".into()),
        "Table options".into(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    )
    .unwrap();
    file.create_date = "2026-11-21 12:00:00".into();
    file.autogenerated(&upgrade, &downgrade, &[]);
    file.render()
}

/// The committed fixture is what autogenerate writes for [`options_model`]: so the code below
/// runs exactly the generated file.
#[test]
fn the_table_options_revision_is_what_autogenerate_writes() {
    let written = options_revision_text();
    if std::env::var_os("OPDB_BLESS").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/revisions/n1_table_options.rs"
        );
        std::fs::write(path, &written).unwrap();
    }
    assert!(written == N1_TEXT, "autogenerate now writes:\n{written}");
}

/// The generated revision upgrades to what the plain SQL builds (by `pg_dump`), checks clean
/// against its model, and downgrades to nothing.
#[tokio::test]
async fn the_table_options_revision_builds_what_the_sql_builds_and_downgrades_to_nothing() {
    let test = "the_table_options_revision_builds_what_the_sql_builds";
    if !common::pg_dump_runs(test) {
        return;
    }
    let (Some(x), Some(y), Some(empty)) = (
        common::pg("options_rev").await,
        common::pg("options_sql").await,
        common::pg("options_empty").await,
    ) else {
        return;
    };
    common::execute(&y.url, OPTIONS_SQL).await;
    let root = std::env::temp_dir().join(format!("opdb-judged-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    migration::script::ScriptDir::init(&root, "n").unwrap();
    std::fs::write(root.join("alembic/n/versions").join(N1), N1_TEXT).unwrap();
    let scripts = [migration::script::CompiledScripts {
        database: "n",
        revisions: vec![migration::compiled_revision!(N1, N1_TEXT, n1)],
        settings: None,
    }];
    let migrate = |direction, target| {
        let (root, scripts, url) = (&root, &scripts, &x.url);
        async move {
            common::migrate(
                root,
                scripts,
                "n",
                url,
                direction,
                target,
                &mut std::io::sink(),
            )
            .await
            .unwrap_or_else(|e| panic!("{e:#}"))
        }
    };
    use migration::runtime::Direction;
    migrate(Direction::Upgrade, "head").await;
    let versions = ["alembic_version", "opdb_history", "opdb_history_id_seq"];
    let (got, wanted) = (
        common::pg_dump_schema_without(&x.url, &versions),
        common::pg_dump_schema(&y.url),
    );
    assert!(
        got == wanted,
        "{}",
        common::first_difference(&got, &wanted, ("applied", "wanted"))
    );
    let ops = common::diff(&x.url, &y.url, false).await;
    assert_eq!(ops.trim(), "// No differences");
    migrate(Direction::Downgrade, "base").await;
    let (got, wanted) = (
        common::pg_dump_schema_without(&x.url, &versions),
        common::pg_dump_schema(&empty.url),
    );
    assert!(
        got == wanted,
        "{}",
        common::first_difference(&got, &wanted, ("applied", "wanted"))
    );
    let _ = std::fs::remove_dir_all(&root);
}

/// Defaults compare by value: spellings the database stores differently but that give every
/// new row the same value are no difference, and a different value is one. The judge is the
/// database itself: a row inserted with `DEFAULT VALUES` into each.
#[tokio::test]
async fn defaults_compare_by_the_value_they_give() {
    const TABLE: &str = "CREATE TABLE t (id integer, n numeric(10,2) DEFAULT {n}, \
                         f boolean DEFAULT {f}, r real DEFAULT {r});";
    let build =
        |n: &str, f: &str, r: &str| TABLE.replace("{n}", n).replace("{f}", f).replace("{r}", r);
    for (backend, same, other) in [
        (
            DbBackend::Postgres,
            [("5", "false", "0.5"), ("5.00", "'f'", "'0.50'")],
            ("6", "'false'", "0.5"),
        ),
        // SQLite keeps a quoted boolean default as text: 'false' is not false there.
        (
            DbBackend::Sqlite,
            [("5", "false", "0.5"), ("5.0", "0", "0.50")],
            ("5", "'false'", "0.5"),
        ),
    ] {
        let mut dbs = Vec::new();
        for (n, f, r) in same.iter().chain([&other]) {
            let Some(db) = common::database(backend, "defaults").await else {
                return;
            };
            common::execute(&db.url, &build(n, f, r)).await;
            common::execute(&db.url, "INSERT INTO t DEFAULT VALUES").await;
            dbs.push(db);
        }
        let mut values = Vec::new();
        for db in &dbs {
            let conn = migration::db::connect(&db.url).await.unwrap();
            let row = conn
                .query_one_raw(sea_orm::Statement::from_string(
                    backend,
                    "SELECT CAST(n AS TEXT) AS n, CAST(f AS TEXT) AS f, CAST(r AS TEXT) AS r FROM t",
                ))
                .await
                .unwrap()
                .unwrap();
            let get = |c: &str| row.try_get::<String>("", c).unwrap();
            values.push((get("n"), get("f"), get("r")));
            conn.close().await.ok();
        }
        assert_eq!(values[0], values[1], "{backend:?}: the same values");
        assert_ne!(values[0], values[2], "{backend:?}: another value");
        let same_diff = common::diff(&dbs[0].url, &dbs[1].url, false).await;
        assert_eq!(same_diff.trim(), "// No differences", "{backend:?}");
        let other_diff = common::diff(&dbs[0].url, &dbs[2].url, false).await;
        assert!(
            other_diff.contains("alter_column"),
            "{backend:?}: {other_diff}"
        );
    }
}

/// A serial made identity keeps numbering after the rows the table has.
#[tokio::test]
async fn a_serial_made_identity_numbers_on_after_the_rows() {
    let (Some(a), Some(b)) = (
        common::database(DbBackend::Postgres, "serial_identity").await,
        common::database(DbBackend::Postgres, "serial_identity_to").await,
    ) else {
        return;
    };
    common::execute(
        &a.url,
        "CREATE TABLE t (id serial PRIMARY KEY, name text);
         INSERT INTO t (name) VALUES ('a'), ('b'), ('c');",
    )
    .await;
    common::execute(
        &b.url,
        "CREATE TABLE t (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text);",
    )
    .await;
    let script = common::diff(&a.url, &b.url, true).await;
    common::execute(&a.url, &script).await;
    common::execute(&a.url, "INSERT INTO t (name) VALUES ('d')").await;
    let conn = migration::db::connect(&a.url).await.unwrap();
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT id FROM t WHERE name = 'd'",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i32>("", "id").unwrap(), 4, "{script}");
    conn.close().await.ok();
}
