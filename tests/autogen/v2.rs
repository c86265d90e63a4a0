//! Version 2 of the small model: one or more changes of every kind the entities can express.
//!
//! - instrument: table comment changed; `name` widened to varchar(16); column `active` added
//!   (NOT NULL with a default).
//! - detector: primary key reordered; the index on `name` dropped; column `serial_no` added with
//!   a unique constraint; a named unique index on (name, serial_no).
//! - exposure: `exptime` real to double precision, NOT NULL, with a check; `note` gets a
//!   default and a comment; `old_name` renamed to `label`; `obsolete` dropped; the enum `mood`
//!   gains a label; `legacy_id` and its foreign key dropped with the table it refers to;
//!   `detector_no` added with a composite foreign key to detector.
//! - legacy: dropped although exposure refers to it.
//! - visit: a new table with a serial key, an index and a foreign key with ON DELETE CASCADE.

pub mod instrument {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "instrument", comment = "An instrument of the telescope")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique, column_type = "String(StringLen::N(16))")]
        pub name: String,
        #[sea_orm(default_value = true)]
        pub active: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod detector {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "detector")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub detector_no: i16,
        #[sea_orm(primary_key, auto_increment = false)]
        pub instrument_id: i32,
        #[sea_orm(unique_key = "ix_detector_name_serial")]
        pub name: String,
        #[sea_orm(unique, unique_key = "ix_detector_name_serial")]
        pub serial_no: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::instrument::Entity",
            from = "Column::InstrumentId",
            to = "super::instrument::Column::Id"
        )]
        Instrument,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod exposure {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "mood")]
    pub enum Mood {
        #[sea_orm(string_value = "happy")]
        Happy,
        #[sea_orm(string_value = "sad")]
        Sad,
        #[sea_orm(string_value = "calm")]
        Calm,
    }

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "exposure")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i64,
        pub instrument_id: i32,
        #[sea_orm(extra = "CHECK (exptime >= 0)")]
        pub exptime: f64,
        #[sea_orm(default_value = "none", comment = "What the observer noted")]
        pub note: Option<String>,
        pub mood: Option<Mood>,
        #[sea_orm(renamed_from = "old_name")]
        pub label: Option<String>,
        pub detector_no: Option<i16>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::instrument::Entity",
            from = "Column::InstrumentId",
            to = "super::instrument::Column::Id"
        )]
        Instrument,
        #[sea_orm(
            belongs_to = "super::detector::Entity",
            from = "(Column::InstrumentId, Column::DetectorNo)",
            to = "(super::detector::Column::InstrumentId, super::detector::Column::DetectorNo)"
        )]
        Detector,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod visit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "visit", comment = "One visit of the telescope")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub visit_id: i32,
        #[sea_orm(indexed)]
        pub exposure_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::exposure::Entity",
            from = "Column::ExposureId",
            to = "super::exposure::Column::Id",
            on_delete = "Cascade"
        )]
        Exposure,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The entities of this version.
pub fn entities() -> migration::entities::EntitySet {
    let mut set = migration::entities::EntitySet::new();
    set.add(instrument::Entity)
        .add(detector::Entity)
        .add(exposure::Entity)
        .add(visit::Entity);
    set
}
