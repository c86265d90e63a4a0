//! `mcs_camera`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "mcs_camera")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "MCS camera identifier [e.g. 0=Canon_50M, 1=RMOD_71M]"
    )]
    pub mcs_camera_id: i32,
    #[sea_orm(comment = "MCS camera name [e.g. \"Canon_50M\", \"RMOD_71M\"]")]
    pub mcs_camera_name: Option<String>,
    pub comments: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::mcs_exposure::Entity")]
    McsExposure,
}

impl Related<super::mcs_exposure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::McsExposure.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
