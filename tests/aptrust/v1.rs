//! Version 1 of a model in the APTrust registry's layout: a few tables, the pages' views over
//! them (a chain of four among them, one grouped by a primary key), statistics in materialized
//! views with unique indexes (one reading another), SQL and PL/pgSQL functions (an overload
//! pair among them) and two triggers, all declared beside the entities. One entity reads a
//! view.

pub mod institutions {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "institutions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        #[sea_orm(unique)]
        pub identifier: String,
        pub state: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod intellectual_objects {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "intellectual_objects")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub institution_id: i32,
        pub title: String,
        #[sea_orm(unique)]
        pub identifier: String,
        pub state: String,
        pub access: String,
        pub updated_at: Option<DateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::institutions::Entity",
            from = "Column::InstitutionId",
            to = "super::institutions::Column::Id"
        )]
        Institution,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod generic_files {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "generic_files")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub intellectual_object_id: i32,
        pub institution_id: i32,
        pub identifier: String,
        pub size: i64,
        pub state: String,
        /// Nullable, so that adding it back (the downgrade of version 2) keeps the rows.
        pub storage_option: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::intellectual_objects::Entity",
            from = "Column::IntellectualObjectId",
            to = "super::intellectual_objects::Column::Id"
        )]
        Object,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod work_items {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "work_items")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub intellectual_object_id: Option<i32>,
        pub institution_id: Option<i32>,
        pub name: String,
        pub action: String,
        pub status: String,
        pub size: i64,
        pub date_processed: Option<DateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The page of objects, read through SeaORM: an entity on a view (not `add`ed: no table).
pub mod intellectual_objects_view {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "intellectual_objects_view")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub title: String,
        pub identifier: String,
        pub institution_name: String,
        pub state_name: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use migration::prelude::{Function, Index, View};

/// The functions: sizes in gigabytes (an overload pair), a state's name, and two triggers'.
pub fn functions() -> Vec<Function> {
    vec![
        Function::new(
            "size_gb",
            "bytes bigint",
            "RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT bytes / 1000000000.0 $$",
        ),
        Function::new(
            "size_gb",
            "bytes bigint, digits integer",
            "returns numeric language sql immutable
         as $$ SELECT round(bytes / 1000000000.0, digits) $$",
        )
        .comment("Bytes in gigabytes, rounded"),
        Function::new(
            "state_name",
            "code text",
            "RETURNS text LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE code WHEN 'A' THEN 'Active' WHEN 'D' THEN 'Deleted' END
         $$",
        ),
        Function::new(
            "touch_updated_at",
            "",
            "RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             NEW.updated_at := now();
             RETURN NEW;
         END
         $$",
        ),
        Function::new(
            "fill_work_item_institution",
            "",
            "RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF NEW.institution_id IS NULL THEN
                 SELECT institution_id INTO NEW.institution_id
                 FROM intellectual_objects WHERE id = NEW.intellectual_object_id;
             END IF;
             RETURN NEW;
         END
         $$",
        ),
    ]
}

/// The pages' views: ten plain ones, four of them a chain.
pub fn views() -> Vec<View> {
    vec![
        View::new(
            "active_institutions",
            "select id, name, identifier from institutions where state = 'A'",
        ),
        View::new(
            "intellectual_objects_view",
            "SELECT o.id, o.title, o.identifier, i.name AS institution_name,
                state_name(o.state) AS state_name
         FROM intellectual_objects o JOIN institutions i ON i.id = o.institution_id;",
        )
        .comment("The objects page"),
        View::new(
            "generic_files_view",
            "SELECT f.id, f.identifier, f.size, size_gb(f.size, 2) AS size_gb, f.storage_option,
                o.identifier AS object_identifier, f.institution_id
         FROM generic_files f JOIN intellectual_objects o ON o.id = f.intellectual_object_id",
        ),
        View::new(
            "work_items_view",
            "SELECT w.id, w.name, w.action, w.status, w.size, w.date_processed,
                i.name AS institution_name
         FROM work_items w LEFT JOIN institutions i ON i.id = w.institution_id",
        ),
        View::new(
            "pending_work_items",
            "SELECT id, name, action FROM work_items_view WHERE status = 'Pending'",
        ),
        // The chain: file counts per object, object sizes, large objects, their titles.
        View::new(
            "object_file_counts",
            "SELECT intellectual_object_id, count(*) AS file_count, sum(size) AS total_size
         FROM generic_files WHERE state = 'A' GROUP BY intellectual_object_id",
        ),
        View::new(
            "object_sizes_view",
            "SELECT v.id, v.title, v.institution_name, c.file_count, c.total_size
         FROM intellectual_objects_view v JOIN object_file_counts c
           ON c.intellectual_object_id = v.id",
        ),
        View::new(
            "large_objects_view",
            "SELECT id, title, total_size FROM object_sizes_view WHERE total_size > 1000000000",
        ),
        View::new(
            "large_object_titles",
            "SELECT title FROM large_objects_view ORDER BY title",
        ),
        // Grouped by the key alone: the server takes the name as decided by it.
        View::new(
            "institution_summary",
            "SELECT i.id, i.name, count(o.id) AS objects
             FROM institutions i LEFT JOIN intellectual_objects o ON o.institution_id = i.id
             GROUP BY i.id",
        ),
        View::new(
            "institution_object_counts",
            "SELECT institution_id, count(*) AS objects FROM intellectual_objects GROUP BY 1",
        ),
    ]
}

/// The statistics: five materialized views with unique indexes (the fifth reads another), and
/// one without.
pub fn statistics() -> Vec<View> {
    vec![
        View::materialized(
            "current_deposit_stats",
            "SELECT institution_id, storage_option, count(*) AS file_count,
                    sum(size) AS total_bytes
             FROM generic_files WHERE state = 'A' GROUP BY institution_id, storage_option",
        )
        .index(
            Index::new(
                "current_deposit_stats_key",
                ["institution_id", "storage_option"],
            )
            .unique(),
        ),
        View::materialized(
            "institution_file_stats",
            "SELECT institution_id, count(*) AS file_count, sum(size) AS total_bytes
             FROM generic_files GROUP BY institution_id",
        )
        .index(Index::new("institution_file_stats_key", ["institution_id"]).unique()),
        View::materialized(
            "work_item_stats",
            "SELECT action, status, count(*) AS items FROM work_items GROUP BY action, status",
        )
        .index(Index::new("work_item_stats_key", ["action", "status"]).unique())
        // Written otherwise than the server writes it back: `(lower((action)::text))`.
        .index(
            Index::new("work_item_stats_busy", [])
                .expression("lower(action)")
                .filter("items > 10"),
        ),
        View::materialized(
            "object_state_stats",
            "SELECT state, count(*) AS objects FROM intellectual_objects GROUP BY state",
        )
        .index(Index::new("object_state_stats_key", ["state"]).unique()),
        View::materialized(
            "deposit_totals",
            "SELECT sum(file_count)::bigint AS file_count, sum(total_bytes) AS total_bytes,
                    1 AS one
             FROM institution_file_stats",
        )
        .index(Index::new("deposit_totals_key", ["one"]).unique()),
        // Left empty when created, and with no unique index: refreshed, never concurrently.
        View::materialized(
            "object_access_counts",
            "SELECT access, count(*) AS objects FROM intellectual_objects GROUP BY access",
        )
        .with_no_data(),
    ]
}

/// The two triggers' statements.
pub const TRIGGERS: [&str; 2] = [
    "CREATE TRIGGER intellectual_objects_touch BEFORE UPDATE ON intellectual_objects
     FOR EACH ROW EXECUTE FUNCTION touch_updated_at()",
    "create trigger work_items_institution before insert on work_items
     for each row execute function fill_work_item_institution();",
];

/// The set of `functions`, `views` and `statistics` declared beside `set`'s entities.
pub fn declare(
    set: &mut migration::EntitySet,
    functions: Vec<Function>,
    views: Vec<View>,
    triggers: &[&str],
) {
    for f in functions {
        set.function(f);
    }
    for v in views {
        set.view(v);
    }
    for t in triggers {
        set.trigger(t);
    }
}

/// The model as the registry's binary would list it.
pub fn entities() -> migration::EntitySet {
    let mut set = migration::EntitySet::new();
    set.add(institutions::Entity)
        .add(intellectual_objects::Entity)
        .add(generic_files::Entity)
        .add(work_items::Entity);
    let all_views = views().into_iter().chain(statistics()).collect();
    declare(&mut set, functions(), all_views, &TRIGGERS);
    set
}
