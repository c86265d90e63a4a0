//! `calib_set`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "calib_set")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub calib_set_id: i32,
    pub calib_flat_id: Option<i32>,
    pub calib_bias_id: Option<i32>,
    pub calib_dark_id: Option<i32>,
    pub calib_arcs_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::calib::Entity",
        from = "Column::CalibArcsId",
        to = "super::calib::Column::CalibId"
    )]
    CalibArcs,
    #[sea_orm(
        belongs_to = "super::calib::Entity",
        from = "Column::CalibBiasId",
        to = "super::calib::Column::CalibId"
    )]
    CalibBias,
    #[sea_orm(
        belongs_to = "super::calib::Entity",
        from = "Column::CalibDarkId",
        to = "super::calib::Column::CalibId"
    )]
    CalibDark,
    #[sea_orm(
        belongs_to = "super::calib::Entity",
        from = "Column::CalibFlatId",
        to = "super::calib::Column::CalibId"
    )]
    CalibFlat,
}

/// Follows `Relation::CalibArcs`: `calib` is reached by more than one foreign key, so
/// `Related` (one per entity pair) cannot name it; use `find_linked(CalibArcsLink)`.
#[derive(Debug)]
pub struct CalibArcsLink;

impl Linked for CalibArcsLink {
    type FromEntity = Entity;
    type ToEntity = super::calib::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::CalibArcs.def()]
    }
}

/// Follows `Relation::CalibBias`: `calib` is reached by more than one foreign key, so
/// `Related` (one per entity pair) cannot name it; use `find_linked(CalibBiasLink)`.
#[derive(Debug)]
pub struct CalibBiasLink;

impl Linked for CalibBiasLink {
    type FromEntity = Entity;
    type ToEntity = super::calib::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::CalibBias.def()]
    }
}

/// Follows `Relation::CalibDark`: `calib` is reached by more than one foreign key, so
/// `Related` (one per entity pair) cannot name it; use `find_linked(CalibDarkLink)`.
#[derive(Debug)]
pub struct CalibDarkLink;

impl Linked for CalibDarkLink {
    type FromEntity = Entity;
    type ToEntity = super::calib::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::CalibDark.def()]
    }
}

/// Follows `Relation::CalibFlat`: `calib` is reached by more than one foreign key, so
/// `Related` (one per entity pair) cannot name it; use `find_linked(CalibFlatLink)`.
#[derive(Debug)]
pub struct CalibFlatLink;

impl Linked for CalibFlatLink {
    type FromEntity = Entity;
    type ToEntity = super::calib::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::CalibFlat.def()]
    }
}

impl ActiveModelBehavior for ActiveModel {}
