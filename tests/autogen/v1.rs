//! Version 1 of the small model the autogenerate tests evolve.

pub mod instrument {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "instrument", comment = "An instrument")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique, column_type = "String(StringLen::N(8))")]
        pub name: String,
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
        pub instrument_id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub detector_no: i16,
        #[sea_orm(indexed)]
        pub name: String,
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

pub mod legacy {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "legacy")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

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
    }

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "exposure")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i64,
        pub instrument_id: i32,
        pub exptime: Option<f32>,
        pub note: Option<String>,
        pub mood: Option<Mood>,
        pub old_name: Option<String>,
        pub obsolete: Option<i32>,
        pub legacy_id: Option<i32>,
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
            belongs_to = "super::legacy::Entity",
            from = "Column::LegacyId",
            to = "super::legacy::Column::Id"
        )]
        Legacy,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The entities of this version.
pub fn entities() -> migration::entities::EntitySet {
    let mut set = migration::entities::EntitySet::new();
    set.add(instrument::Entity)
        .add(detector::Entity)
        .add(legacy::Entity)
        .add(exposure::Entity);
    set
}
