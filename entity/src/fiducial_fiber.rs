//! `fiducial_fiber`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fiducial_fiber")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub fiducial_fiber_id: i32,
    pub field_on_pfi: Option<i32>,
    pub ff_in_field: Option<i32>,
    #[sea_orm(column_type = "String(StringLen::N(5))")]
    pub ff_type: Option<String>,
    pub ff_id_in_type: Option<i32>,
    pub mask: Option<i32>,
    pub version: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::fiducial_fiber_geometry::Entity")]
    FiducialFiberGeometry,
}

impl Related<super::fiducial_fiber_geometry::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FiducialFiberGeometry.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
