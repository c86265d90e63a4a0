//! `mcs_pfi_transformation`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "mcs_pfi_transformation")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "MCS frame identifier as generated from Gen2"
    )]
    pub mcs_frame_id: i32,
    #[sea_orm(comment = "Transformation x shift")]
    pub x0: Option<f32>,
    #[sea_orm(comment = "Transformation y shift")]
    pub y0: Option<f32>,
    #[sea_orm(comment = "First transformation scale")]
    pub dscale: Option<f32>,
    #[sea_orm(comment = "Second transformation scale")]
    pub scale2: Option<f32>,
    #[sea_orm(comment = "Transformation rotation angle")]
    pub theta: Option<f32>,
    #[sea_orm(comment = "coefficient for the dtheta^2 term in the penalty function")]
    pub alpha_rot: Option<f32>,
    #[sea_orm(comment = "camera name for transformation function")]
    pub camera_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::mcs_exposure::Entity",
        from = "Column::McsFrameId",
        to = "super::mcs_exposure::Column::McsFrameId"
    )]
    McsExposure,
}

impl Related<super::mcs_exposure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::McsExposure.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
