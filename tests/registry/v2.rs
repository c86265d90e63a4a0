//! Version 2 of a model in the DESC data registry's shape: one model for a production and a
//! working schema; a working row may depend on a production dataset (a key into the
//! production schema); the dataset's version key treats nulls as equal (`NULLS NOT DISTINCT`).
//! Version 2 adds a description to datasets.

pub mod dataset {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "dataset", comment = "A registered dataset")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub dataset_id: i32,
        #[sea_orm(unique_key = "dataset_version_key")]
        pub name: String,
        #[sea_orm(unique_key = "dataset_version_key")]
        pub version_string: String,
        #[sea_orm(unique_key = "dataset_version_key")]
        pub owner: Option<String>,
        pub relative_path: String,
        pub description: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dependency {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "dependency")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub dependency_id: i32,
        /// A dataset of the same schema.
        pub input_id: Option<i32>,
        /// A dataset of the production schema, whichever schema this row is in.
        pub input_production_id: Option<i32>,
    }

    #[derive(Copy, Clone, Debug, EnumIter)]
    pub enum Relation {
        Input,
        InputProduction,
    }

    impl RelationTrait for Relation {
        fn def(&self) -> RelationDef {
            match self {
                Relation::Input => Entity::belongs_to(super::dataset::Entity)
                    .from(Column::InputId)
                    .to(super::dataset::Column::DatasetId)
                    .into(),
                Relation::InputProduction => migration::foreign_key_schema(
                    Entity::belongs_to(super::dataset::Entity)
                        .from(Column::InputProductionId)
                        .to(super::dataset::Column::DatasetId)
                        .into(),
                    "production",
                ),
            }
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The model as the registry's binary would list it.
pub fn entities() -> migration::EntitySet {
    let mut set = migration::EntitySet::new();
    set.add(dataset::Entity).add(dependency::Entity);
    set.nulls_not_distinct("dataset", "dataset_version_key");
    set
}
