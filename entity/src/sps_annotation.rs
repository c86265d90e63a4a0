//! `sps_annotation`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sps_annotation")]
pub struct Model {
    #[sea_orm(primary_key, comment = "SpS annotation identifier (primary key)")]
    pub annotation_id: i32,
    #[sea_orm(comment = "PFS visit identifier")]
    pub pfs_visit_id: Option<i32>,
    #[sea_orm(comment = "SpS camera identifier [1-16]")]
    pub sps_camera_id: Option<i32>,
    #[sea_orm(comment = "Flag of obtained data")]
    pub data_flag: Option<i32>,
    #[sea_orm(comment = "Notes of obtained data")]
    pub notes: Option<String>,
    #[sea_orm(comment = "Creation time [YYYY-MM-DDThh:mm:ss]")]
    pub created_at: Option<DateTime>,
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
