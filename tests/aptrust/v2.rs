//! Version 2 of the APTrust-like model: what the registry's hand-written migrations do, as
//! entity changes. A column two views read is dropped (`generic_files.storage_option`); the
//! type of a column a chain of four views reads changes (`intellectual_objects.title`); a view
//! gains a column (`active_institutions`, replaced in place); a materialized view gains an
//! index; a function's body changes; an overload is dropped and another added; a column two
//! views read is renamed (`work_items.name`, `renamed_from`), the view that reads it keeping
//! its column's name.

pub use super::v1::institutions;

pub mod work_items {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "work_items")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub intellectual_object_id: Option<i32>,
        pub institution_id: Option<i32>,
        #[sea_orm(renamed_from = "name")]
        pub item_name: String,
        pub action: String,
        pub status: String,
        pub size: i64,
        pub date_processed: Option<DateTimeWithTimeZone>,
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
        #[sea_orm(column_type = "String(StringLen::N(500))")]
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

use migration::prelude::{Function, Index, View};

/// Version 1's, with one body changed and one overload traded for another.
fn functions() -> Vec<Function> {
    let mut out: Vec<Function> = super::v1::functions()
        .into_iter()
        .filter(|f| !(f.name == "size_gb" && f.arguments == "bytes bigint"))
        .map(|f| match f.name.as_str() {
            "state_name" => Function::new(
                "state_name",
                "code text",
                "RETURNS text LANGUAGE sql IMMUTABLE AS $$
                    SELECT CASE code WHEN 'A' THEN 'Active' WHEN 'D' THEN 'Deleted'
                                     WHEN 'P' THEN 'Pending' END
                 $$",
            ),
            _ => f,
        })
        .collect();
    out.push(Function::new(
        "size_gb",
        "bytes numeric, digits integer",
        "RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT round(bytes / 1e9, digits) $$",
    ));
    out
}

/// Version 1's, without the dropped column, one view wider, one index more.
fn views() -> Vec<View> {
    super::v1::views()
        .into_iter()
        .chain(super::v1::statistics())
        .map(|v| match v.name.as_str() {
            "active_institutions" => View::new(
                "active_institutions",
                "SELECT id, name, identifier, state FROM institutions WHERE state = 'A'",
            ),
            "generic_files_view" => View::new(
                "generic_files_view",
                "SELECT f.id, f.identifier, f.size, size_gb(f.size, 2) AS size_gb,
                        o.identifier AS object_identifier, f.institution_id
                 FROM generic_files f JOIN intellectual_objects o
                   ON o.id = f.intellectual_object_id",
            ),
            "current_deposit_stats" => View::materialized(
                "current_deposit_stats",
                "SELECT institution_id, count(*) AS file_count, sum(size) AS total_bytes
                 FROM generic_files WHERE state = 'A' GROUP BY institution_id",
            )
            .index(Index::new("current_deposit_stats_key", ["institution_id"]).unique()),
            "work_item_stats" => v.index(Index::new("work_item_stats_status", ["status"])),
            "pending_work_items" => v.comment("Work waiting for a worker"),
            "work_items_view" => View::new(
                "work_items_view",
                "SELECT w.id, w.item_name AS name, w.action, w.status, w.size, w.date_processed,
                        i.name AS institution_name
                 FROM work_items w LEFT JOIN institutions i ON i.id = w.institution_id",
            ),
            _ => v,
        })
        .collect()
}

pub fn entities() -> migration::EntitySet {
    let mut set = migration::EntitySet::new();
    set.add(institutions::Entity)
        .add(intellectual_objects::Entity)
        .add(generic_files::Entity)
        .add(work_items::Entity);
    super::v1::declare(&mut set, functions(), views(), &super::v1::TRIGGERS);
    set
}
