//! `mcs_exposure`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "mcs_exposure")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        unique_key = "ix_mcs_exposure_mcs_frame_id",
        comment = "MCS frame identifier as generated from Gen2"
    )]
    pub mcs_frame_id: i32,
    pub pfs_visit_id: Option<i32>,
    #[sea_orm(comment = "The exposure time for the frame [sec]")]
    pub mcs_exptime: Option<f32>,
    #[sea_orm(comment = "The telescope attitude [deg]")]
    pub altitude: Option<f32>,
    #[sea_orm(comment = "The telescope azimuth [deg]")]
    pub azimuth: Option<f32>,
    #[sea_orm(comment = "The telescope instrument rotation angle [deg]")]
    pub insrot: Option<f32>,
    #[sea_orm(comment = "ADC PA at which the exposure started [deg]")]
    pub adc_pa: Option<f32>,
    #[sea_orm(comment = "Dome temperature [K]")]
    pub dome_temperature: Option<f32>,
    #[sea_orm(comment = "Dome pressure [hPa]")]
    pub dome_pressure: Option<f32>,
    #[sea_orm(comment = "Dome humidity [%]")]
    pub dome_humidity: Option<f32>,
    #[sea_orm(comment = "Outside temperature [K]")]
    pub outside_temperature: Option<f32>,
    #[sea_orm(comment = "Outside pressure [hPa]")]
    pub outside_pressure: Option<f32>,
    #[sea_orm(comment = "Outside humidity [%]")]
    pub outside_humidity: Option<f32>,
    #[sea_orm(comment = "MCS cover panel temperature [degC]")]
    pub mcs_cover_temperature: Option<f32>,
    #[sea_orm(comment = "MCS primary mirror temperature [degC]")]
    pub mcs_m1_temperature: Option<f32>,
    pub mcs_camera_id: Option<i32>,
    #[sea_orm(comment = "Spot measurement algorithm (windowed/sep)")]
    pub measurement_algorithm: Option<String>,
    #[sea_orm(comment = "Version of the actor")]
    pub version_actor: Option<String>,
    #[sea_orm(comment = "Version of the pfs_instdata")]
    pub version_instdata: Option<String>,
    #[sea_orm(comment = "The time at which the exposure was taken [YYYY-MM-DDThh-mm-sss]")]
    pub taken_at: Option<DateTime>,
    #[sea_orm(
        comment = "The time (in HST) at which the exposure was taken [YYYY-MM-DDThh-mm-sss]"
    )]
    pub taken_in_hst_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_one = "super::camera_model_f3c_mcs::Entity")]
    CameraModelF3cMcs,
    #[sea_orm(
        belongs_to = "super::mcs_camera::Entity",
        from = "Column::McsCameraId",
        to = "super::mcs_camera::Column::McsCameraId"
    )]
    McsCamera,
    #[sea_orm(has_many = "super::mcs_data::Entity")]
    McsData,
    #[sea_orm(has_one = "super::mcs_pfi_transformation::Entity")]
    McsPfiTransformation,
    #[sea_orm(has_many = "super::obslog_mcs_exposure_note::Entity")]
    ObslogMcsExposureNote,
    #[sea_orm(
        belongs_to = "super::pfs_visit::Entity",
        from = "Column::PfsVisitId",
        to = "super::pfs_visit::Column::PfsVisitId"
    )]
    PfsVisit,
}

impl Related<super::camera_model_f3c_mcs::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CameraModelF3cMcs.def()
    }
}

impl Related<super::mcs_camera::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::McsCamera.def()
    }
}

impl Related<super::mcs_data::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::McsData.def()
    }
}

impl Related<super::mcs_pfi_transformation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::McsPfiTransformation.def()
    }
}

impl Related<super::obslog_mcs_exposure_note::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObslogMcsExposureNote.def()
    }
}

impl Related<super::pfs_visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsVisit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
