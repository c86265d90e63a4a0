//! `sps_camera`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sps_camera")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "SpS camera identifier [1-16]"
    )]
    pub sps_camera_id: i32,
    #[sea_orm(
        column_type = "String(StringLen::N(2))",
        comment = "SpS camera name [e.g. \"b3\"]"
    )]
    pub sps_camera_name: Option<String>,
    #[sea_orm(comment = "SpS module identifier [1-4]")]
    pub sps_module_id: Option<i32>,
    #[sea_orm(
        column_type = "String(StringLen::N(3))",
        comment = "SpS module name [e.g. \"sm3\"]"
    )]
    pub sps_module_name: Option<String>,
    #[sea_orm(
        column_type = "String(StringLen::N(1))",
        comment = "Spectrograph arm identifier [b, r, n, m]"
    )]
    pub arm: Option<String>,
    #[sea_orm(comment = "Spectrograph arm identifier as a number [1-4]")]
    pub arm_num: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::sps_exposure::Entity")]
    SpsExposure,
    #[sea_orm(
        belongs_to = "super::sps_module::Entity",
        from = "Column::SpsModuleId",
        to = "super::sps_module::Column::SpsModuleId"
    )]
    SpsModule,
}

impl Related<super::sps_exposure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SpsExposure.def()
    }
}

impl Related<super::sps_module::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SpsModule.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
