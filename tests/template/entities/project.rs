//! A project of the lab: what its samples belong to.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project", comment = "A project of the lab")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique, comment = "Short name, as on the freezer labels")]
    pub code: String,
    pub title: Option<String>,
}

// Samples point here (`sample.rs`); this side needs no relation for the foreign key.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
