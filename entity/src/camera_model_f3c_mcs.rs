//! `camera_model_f3c_mcs`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "camera_model_f3c_mcs")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "MCS frame identifier as generated from Gen2"
    )]
    pub mcs_frame_id: i32,
    #[sea_orm(
        column_type = "Array(RcOrArc::new(ColumnType::Float))",
        comment = "camMatrix"
    )]
    pub matrix: Option<Vec<f32>>,
    #[sea_orm(
        column_type = "Array(RcOrArc::new(ColumnType::Float))",
        comment = "camDistor"
    )]
    pub distor: Option<Vec<f32>>,
    #[sea_orm(
        column_type = "Array(RcOrArc::new(ColumnType::Float))",
        comment = "camRotVec"
    )]
    pub rot_vector: Option<Vec<f32>>,
    #[sea_orm(
        column_type = "Array(RcOrArc::new(ColumnType::Float))",
        comment = "camTranVec"
    )]
    pub tran_vector: Option<Vec<f32>>,
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
