//! `sps_module`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sps_module")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "SpS module identifier [1-4]"
    )]
    pub sps_module_id: i32,
    #[sea_orm(comment = "SpS module name")]
    pub description: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::sps_camera::Entity")]
    SpsCamera,
}

impl Related<super::sps_camera::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SpsCamera.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
