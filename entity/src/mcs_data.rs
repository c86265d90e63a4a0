//! `mcs_data`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "mcs_data")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, indexed)]
    pub mcs_frame_id: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "The cobra spot identifier"
    )]
    pub spot_id: i32,
    #[sea_orm(comment = "The x-center of the spot image in MCS [pix]")]
    pub mcs_center_x_pix: Option<f32>,
    #[sea_orm(comment = "The y-center of the spot image in MCS [pix]]")]
    pub mcs_center_y_pix: Option<f32>,
    #[sea_orm(comment = "The x-component of the second moment of the image in MCS [pix^2]")]
    pub mcs_second_moment_x_pix: Option<f32>,
    #[sea_orm(comment = "The y-component of the second moment  of the image [pix^2]")]
    pub mcs_second_moment_y_pix: Option<f32>,
    #[sea_orm(comment = "The xy-component of the second moment  of the image [pix^2]")]
    pub mcs_second_moment_xy_pix: Option<f32>,
    #[sea_orm(comment = "The background level")]
    pub bgvalue: Option<f32>,
    #[sea_orm(comment = "The peak image value")]
    pub peakvalue: Option<f32>,
    #[sea_orm(comment = "Flags about the fitted centroids parameters")]
    pub flags: Option<i32>,
    #[sea_orm(comment = "The measured flux")]
    pub flux: Option<f32>,
    #[sea_orm(comment = "The measured flux error")]
    pub fluxerr: Option<f32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::cobra_match::Entity")]
    CobraMatch,
    #[sea_orm(has_many = "super::fiducial_fiber_match::Entity")]
    FiducialFiberMatch,
    #[sea_orm(
        belongs_to = "super::mcs_exposure::Entity",
        from = "Column::McsFrameId",
        to = "super::mcs_exposure::Column::McsFrameId"
    )]
    McsExposure,
}

impl Related<super::cobra_match::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraMatch.def()
    }
}

impl Related<super::fiducial_fiber_match::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FiducialFiberMatch.def()
    }
}

impl Related<super::mcs_exposure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::McsExposure.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
