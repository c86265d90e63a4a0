//! `sps_exposure`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sps_exposure")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, comment = "PFS visit identifier")]
    pub pfs_visit_id: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "SpS camera identifier [1-16]"
    )]
    pub sps_camera_id: i32,
    #[sea_orm(comment = "Exposure time for visit [sec]")]
    pub exptime: Option<f32>,
    #[sea_orm(comment = "Start time for exposure [YYYY-MM-DDThh:mm:ss]")]
    pub time_exp_start: Option<DateTime>,
    #[sea_orm(comment = "End time for exposure [YYYY-MM-DDThh:mm:ss]")]
    pub time_exp_end: Option<DateTime>,
    #[sea_orm(comment = "MJD when the configuration changed")]
    pub beam_config_date: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::sps_annotation::Entity")]
    SpsAnnotation,
    #[sea_orm(
        belongs_to = "super::sps_camera::Entity",
        from = "Column::SpsCameraId",
        to = "super::sps_camera::Column::SpsCameraId"
    )]
    SpsCamera,
    #[sea_orm(has_one = "super::sps_condition::Entity")]
    SpsCondition,
    #[sea_orm(
        belongs_to = "super::sps_visit::Entity",
        from = "Column::PfsVisitId",
        to = "super::sps_visit::Column::PfsVisitId"
    )]
    SpsVisit,
}

impl Related<super::sps_annotation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SpsAnnotation.def()
    }
}

impl Related<super::sps_camera::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SpsCamera.def()
    }
}

impl Related<super::sps_condition::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SpsCondition.def()
    }
}

impl Related<super::sps_visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SpsVisit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
