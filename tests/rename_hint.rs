//! A column renamed in an entity without `renamed_from` looks like a drop and an add: the
//! revision's warning names the attribute that makes it a rename, and that attribute, once
//! written, does make it one and keeps the values (on a real SQLite database).

use migration::autogenerate::{self, describe};
use migration::entities::EntitySet;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// The model before: `old_label`.
mod before {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "gadget")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub old_label: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The model after, as first written: `label`, nothing said about `old_label`.
mod renamed {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "gadget")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub label: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The model after, with the attribute the warning asks for.
mod hinted {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "gadget")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(renamed_from = "old_label")]
        pub label: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

fn set<E: sea_orm::EntityTrait>(entity: E) -> EntitySet {
    let mut set = EntitySet::new();
    set.add(entity);
    set
}

#[tokio::test]
async fn a_rename_without_renamed_from_is_warned_with_the_attribute_that_fixes_it() {
    let from = set(before::Entity).schema();

    let plain = set(renamed::Entity);
    let (upgrade, _) = autogenerate::revision_ops(&from, &plain.schema(), &plain.hints()).unwrap();
    let warned = describe::warnings(&from, &upgrade);
    assert_eq!(
        warned,
        [
            "drops column gadget.old_label and its values; if gadget.label (added, of the same \
          type) is old_label renamed, put #[sea_orm(renamed_from = \"old_label\")] on label to \
          rename it and keep the values"
        ]
    );

    // Written as the warning says, it is a rename that keeps the values.
    let fixed = set(hinted::Entity);
    let (upgrade, _) = autogenerate::revision_ops(&from, &fixed.schema(), &fixed.hints()).unwrap();
    let said: Vec<String> = upgrade.iter().map(describe::op).collect();
    assert_eq!(said, ["rename column gadget.old_label to label"]);
    assert!(describe::warnings(&from, &upgrade).is_empty());

    let db = migration::db::connect("sqlite::memory:").await.unwrap();
    let create = migration::ddl::script(DbBackend::Sqlite, &Default::default(), &{
        autogenerate::diff(&Default::default(), &from, &Default::default())
    })
    .unwrap();
    db.execute_unprepared(&create).await.unwrap();
    db.execute_unprepared("INSERT INTO gadget (old_label) VALUES ('kept')")
        .await
        .unwrap();
    let script = migration::ddl::script(DbBackend::Sqlite, &from, &upgrade).unwrap();
    db.execute_unprepared(&script).await.unwrap();
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT label FROM gadget",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "label").unwrap(), "kept");
}
