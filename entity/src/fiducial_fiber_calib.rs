//! `fiducial_fiber_calib`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fiducial_fiber_calib")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub fiducial_fiber_calib_id: i32,
    #[sea_orm(comment = "Date of the calibration [YYYY-MM-DDhh:mm:ss]")]
    pub calibrated_at: Option<DateTime>,
    #[sea_orm(comment = "Comments")]
    pub comments: Option<String>,
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
