//! `cobra_target`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cobra_target")]
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
    pub pfs_config_id: Option<i64>,
    #[sea_orm(
        comment = "Nominal x-position on the PFI as determined from the  pfs_design_fiber table [mm]"
    )]
    pub pfi_nominal_x_mm: Option<f32>,
    #[sea_orm(
        comment = "Nominal y-position on the PFI as determined from the  pfs_design_fiber table [mm]"
    )]
    pub pfi_nominal_y_mm: Option<f32>,
    #[sea_orm(comment = "Target x-position on the PFI for each iteration")]
    pub pfi_target_x_mm: Option<f32>,
    #[sea_orm(comment = "Target y-position on the PFI for each iteration")]
    pub pfi_target_y_mm: Option<f32>,
    #[sea_orm(comment = "flags for movement etc.")]
    pub flags: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_one = "super::cobra_match::Entity")]
    CobraMatch,
    #[sea_orm(
        belongs_to = "super::pfs_visit::Entity",
        from = "Column::PfsVisitId",
        to = "super::pfs_visit::Column::PfsVisitId"
    )]
    PfsVisit,
}

impl Related<super::cobra_match::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraMatch.def()
    }
}

impl Related<super::pfs_visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsVisit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
