//! `cobra_match`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cobra_match")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, comment = "PFS visit identifier")]
    pub pfs_visit_id: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "Iteration number for this frame"
    )]
    pub iteration: i32,
    #[sea_orm(primary_key, auto_increment = false, comment = "Fiber identifier")]
    pub cobra_id: i32,
    #[sea_orm(comment = "MCS frame identifier as generated from Gen2")]
    pub mcs_frame_id: Option<i32>,
    #[sea_orm(comment = "Corresponding MCS image spot identifier ")]
    pub spot_id: Option<i32>,
    #[sea_orm(comment = "Actual x-position on the PFI [mm]")]
    pub pfi_center_x_mm: Option<f32>,
    #[sea_orm(comment = "Actual y-position on the PFI [mm]")]
    pub pfi_center_y_mm: Option<f32>,
    #[sea_orm(comment = "flags for movement etc.")]
    pub flags: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_one = "super::cobra_move::Entity")]
    CobraMove,
    #[sea_orm(
        belongs_to = "super::cobra_target::Entity",
        from = "(Column::PfsVisitId, Column::Iteration, Column::CobraId)",
        to = "(super::cobra_target::Column::PfsVisitId, super::cobra_target::Column::Iteration, super::cobra_target::Column::CobraId)"
    )]
    CobraTarget,
    #[sea_orm(
        belongs_to = "super::mcs_data::Entity",
        from = "(Column::McsFrameId, Column::SpotId)",
        to = "(super::mcs_data::Column::McsFrameId, super::mcs_data::Column::SpotId)"
    )]
    McsData,
}

impl Related<super::cobra_move::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraMove.def()
    }
}

impl Related<super::cobra_target::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraTarget.def()
    }
}

impl Related<super::mcs_data::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::McsData.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
