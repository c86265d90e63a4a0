//! `pfs_config_fiber`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pfs_config_fiber")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pfs_design_id: i64,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "The first visit of the set"
    )]
    pub visit0: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub fiber_id: i32,
    #[sea_orm(comment = "R.A. of the target")]
    pub target_ra: Option<f64>,
    #[sea_orm(comment = "Dec. of the target")]
    pub target_dec: Option<f64>,
    #[sea_orm(comment = "Outcome this visit: GOOD, NOTCONVERGED, BLACKSPOT, UNKNOWN")]
    pub fiber_status: Option<i32>,
    #[sea_orm(
        comment = "TargetValidation bits: why fps refused this target, 0 if it did not. Set only for science target types; see cobra_command for what fps did"
    )]
    pub target_validation_mask: Option<i32>,
    #[sea_orm(
        comment = "CobraCommand: what fps did with this cobra. 0=NOT_COMMANDED, 1=CONVERGE, 2=HOME, 3=BLACK_DOT, 4=NOT_SET"
    )]
    pub cobra_command: Option<i32>,
    #[sea_orm(comment = "Nominal x-position on the PFI")]
    pub pfi_nominal_x_mm: Option<f32>,
    #[sea_orm(comment = "Nominal y-position on the PFI")]
    pub pfi_nominal_y_mm: Option<f32>,
    #[sea_orm(comment = "Final measured x-position on the PFI")]
    pub pfi_center_final_x_mm: Option<f32>,
    #[sea_orm(comment = "Final measured y-position on the PFI")]
    pub pfi_center_final_y_mm: Option<f32>,
    pub motor_map_summary: Option<String>,
    pub config_elapsed_time: Option<f32>,
    pub is_on_source: Option<bool>,
    #[sea_orm(comment = "comments")]
    pub comments: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::pfs_config::Entity",
        from = "(Column::PfsDesignId, Column::Visit0)",
        to = "(super::pfs_config::Column::PfsDesignId, super::pfs_config::Column::Visit0)"
    )]
    PfsConfig,
}

impl Related<super::pfs_config::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsConfig.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
