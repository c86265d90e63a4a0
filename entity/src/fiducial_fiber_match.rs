//! `fiducial_fiber_match`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fiducial_fiber_match")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, comment = "PFS visit identifier")]
    pub pfs_visit_id: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "Iteration number for this frame"
    )]
    pub iteration: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "Fiducial fiber identifier"
    )]
    pub fiducial_fiber_id: i32,
    #[sea_orm(comment = "MCS frame identifier as generated from Gen2")]
    pub mcs_frame_id: Option<i32>,
    #[sea_orm(comment = "Corresponding MCS image spot identifier ")]
    pub spot_id: Option<i32>,
    #[sea_orm(comment = "Measured FF x-position on the PFI [mm]")]
    pub pfi_center_x_mm: Option<f32>,
    #[sea_orm(comment = "Measured FF y-position on the PFI [mm]")]
    pub pfi_center_y_mm: Option<f32>,
    #[sea_orm(comment = "Expected FF x-position on the PFI at the convergence [mm]")]
    pub fiducial_tweaked_x_mm: Option<f32>,
    #[sea_orm(comment = "Expected FF y-position on the PFI at the convergence [mm]")]
    pub fiducial_tweaked_y_mm: Option<f32>,
    #[sea_orm(comment = "flags for movement etc.")]
    pub flags: Option<i32>,
    #[sea_orm(
        comment = "mask for FF match (1 for FFs used in outer ring, 2 for FFs used in first iteration of transformation, 4 for FFs used in final transformation."
    )]
    pub match_mask: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::mcs_data::Entity",
        from = "(Column::McsFrameId, Column::SpotId)",
        to = "(super::mcs_data::Column::McsFrameId, super::mcs_data::Column::SpotId)"
    )]
    McsData,
}

impl Related<super::mcs_data::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::McsData.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
