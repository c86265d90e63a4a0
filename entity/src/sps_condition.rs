//! `sps_condition`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sps_condition")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, comment = "PFS visit identifier")]
    pub pfs_visit_id: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "SpS camera identifier [1-16]"
    )]
    pub sps_camera_id: i32,
    #[sea_orm(comment = "Background level (TBD)")]
    pub background: Option<f32>,
    #[sea_orm(comment = "System throughput (TBD)")]
    pub throughput: Option<f32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::sps_exposure::Entity",
        from = "(Column::PfsVisitId, Column::SpsCameraId)",
        to = "(super::sps_exposure::Column::PfsVisitId, super::sps_exposure::Column::SpsCameraId)"
    )]
    SpsExposure,
}

impl Related<super::sps_exposure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SpsExposure.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
