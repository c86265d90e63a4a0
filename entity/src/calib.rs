//! `calib`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "calib")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub calib_id: i64,
    pub calib_type: Option<String>,
    pub sps_frames_to_use: Option<String>,
    pub pfs_design_id: Option<i64>,
    pub calib_date: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::calib_set::Entity", via_rel = "Relation::CalibArcs")]
    CalibSetCalibArcs,
    #[sea_orm(has_many = "super::calib_set::Entity", via_rel = "Relation::CalibBias")]
    CalibSetCalibBias,
    #[sea_orm(has_many = "super::calib_set::Entity", via_rel = "Relation::CalibDark")]
    CalibSetCalibDark,
    #[sea_orm(has_many = "super::calib_set::Entity", via_rel = "Relation::CalibFlat")]
    CalibSetCalibFlat,
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

/// Follows `Relation::CalibSetCalibArcs`: `calib_set` is reached by more than one foreign key, so
/// `Related` (one per entity pair) cannot name it; use `find_linked(CalibSetCalibArcsLink)`.
#[derive(Debug)]
pub struct CalibSetCalibArcsLink;

impl Linked for CalibSetCalibArcsLink {
    type FromEntity = Entity;
    type ToEntity = super::calib_set::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::CalibSetCalibArcs.def()]
    }
}

/// Follows `Relation::CalibSetCalibBias`: `calib_set` is reached by more than one foreign key, so
/// `Related` (one per entity pair) cannot name it; use `find_linked(CalibSetCalibBiasLink)`.
#[derive(Debug)]
pub struct CalibSetCalibBiasLink;

impl Linked for CalibSetCalibBiasLink {
    type FromEntity = Entity;
    type ToEntity = super::calib_set::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::CalibSetCalibBias.def()]
    }
}

/// Follows `Relation::CalibSetCalibDark`: `calib_set` is reached by more than one foreign key, so
/// `Related` (one per entity pair) cannot name it; use `find_linked(CalibSetCalibDarkLink)`.
#[derive(Debug)]
pub struct CalibSetCalibDarkLink;

impl Linked for CalibSetCalibDarkLink {
    type FromEntity = Entity;
    type ToEntity = super::calib_set::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::CalibSetCalibDark.def()]
    }
}

/// Follows `Relation::CalibSetCalibFlat`: `calib_set` is reached by more than one foreign key, so
/// `Related` (one per entity pair) cannot name it; use `find_linked(CalibSetCalibFlatLink)`.
#[derive(Debug)]
pub struct CalibSetCalibFlatLink;

impl Linked for CalibSetCalibFlatLink {
    type FromEntity = Entity;
    type ToEntity = super::calib_set::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::CalibSetCalibFlat.def()]
    }
}

impl ActiveModelBehavior for ActiveModel {}
