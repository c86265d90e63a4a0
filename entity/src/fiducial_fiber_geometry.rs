//! `fiducial_fiber_geometry`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fiducial_fiber_geometry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub fiducial_fiber_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub fiducial_fiber_calib_id: i32,
    pub ff_center_on_pfi_x_mm: Option<f32>,
    pub ff_center_on_pfi_y_mm: Option<f32>,
    #[sea_orm(comment = "Elevation")]
    pub elevation: Option<f32>,
    #[sea_orm(comment = "Ambient temperature")]
    pub ambient_temp: Option<f32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::fiducial_fiber::Entity",
        from = "Column::FiducialFiberId",
        to = "super::fiducial_fiber::Column::FiducialFiberId"
    )]
    FiducialFiber,
    #[sea_orm(
        belongs_to = "super::fiducial_fiber_calib::Entity",
        from = "Column::FiducialFiberCalibId",
        to = "super::fiducial_fiber_calib::Column::FiducialFiberCalibId"
    )]
    FiducialFiberCalib,
}

impl Related<super::fiducial_fiber::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FiducialFiber.def()
    }
}

impl Related<super::fiducial_fiber_calib::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FiducialFiberCalib.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
