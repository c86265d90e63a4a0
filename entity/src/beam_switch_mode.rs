//! `beam_switch_mode`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "beam_switch_mode")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub beam_switch_mode_id: i32,
    pub beam_switch_mode_name: Option<String>,
    pub beam_switch_mode_description: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
