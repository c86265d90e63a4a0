//! `pfs_design_fiber`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pfs_design_fiber")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pfs_design_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub fiber_id: i32,
    #[sea_orm(comment = "catId of the target")]
    pub target_cat_id: Option<i32>,
    #[sea_orm(comment = "tract of the target")]
    pub target_tract: Option<i32>,
    #[sea_orm(comment = "patch of the target")]
    pub target_patch: Option<String>,
    #[sea_orm(comment = "objId of the target")]
    pub target_obj_id: Option<i64>,
    #[sea_orm(comment = "R.A. of the target")]
    pub target_ra: Option<f64>,
    #[sea_orm(comment = "Dec. of the target")]
    pub target_dec: Option<f64>,
    #[sea_orm(comment = "Proper motion of the target in R.A. [mas/yr]")]
    pub target_pm_ra: Option<f32>,
    #[sea_orm(comment = "Proper motion of the target in Dec. [mas/yr]")]
    pub target_pm_dec: Option<f32>,
    #[sea_orm(comment = "Parallax of the target [mas]")]
    pub target_parallax: Option<f32>,
    #[sea_orm(comment = "epoch")]
    pub epoch: Option<String>,
    #[sea_orm(comment = "Proposal ID")]
    pub proposal_id: Option<String>,
    #[sea_orm(comment = "OB code")]
    pub ob_code: Option<String>,
    #[sea_orm(comment = "targetType: enumerated e.g. SCIENCE,SKY,FLUXSTD")]
    pub target_type: Option<i32>,
    #[sea_orm(comment = "Fiber health: GOOD, BROKENFIBER, BLOCKED, BROKENCOBRA")]
    pub fiber_status: Option<i32>,
    #[sea_orm(comment = "Nominal x-position on the PFI [mm]")]
    pub pfi_nominal_x_mm: Option<f32>,
    #[sea_orm(comment = "Nominal y-position on the PFI [mm]")]
    pub pfi_nominal_y_mm: Option<f32>,
    pub ets_priority: Option<i32>,
    pub ets_cost_function: Option<f64>,
    pub ets_cobra_motor_movement: Option<String>,
    pub is_on_source: Option<bool>,
    #[sea_orm(comment = "comments")]
    pub comments: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::pfs_design::Entity",
        from = "Column::PfsDesignId",
        to = "super::pfs_design::Column::PfsDesignId"
    )]
    PfsDesign,
}

impl Related<super::pfs_design::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsDesign.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
