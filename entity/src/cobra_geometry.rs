//! `cobra_geometry`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cobra_geometry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cobra_geometry_calib_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub cobra_id: i32,
    pub center_x_mm: Option<f32>,
    pub center_y_mm: Option<f32>,
    pub motor_theta_limit0: Option<f32>,
    pub motor_theta_limit1: Option<f32>,
    pub motor_theta_length_mm: Option<f32>,
    pub motor_phi_limit_in: Option<f32>,
    pub motor_phi_limit_out: Option<f32>,
    pub motor_phi_length_mm: Option<f32>,
    #[sea_orm(comment = "0x0001=OK/0x0002=INVISIBLE/0x0004=BROKEN_THETA/0x0008=BROKEN_PHI")]
    pub status: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cobra::Entity",
        from = "Column::CobraId",
        to = "super::cobra::Column::CobraId"
    )]
    Cobra,
    #[sea_orm(
        belongs_to = "super::cobra_geometry_calib::Entity",
        from = "Column::CobraGeometryCalibId",
        to = "super::cobra_geometry_calib::Column::CobraGeometryCalibId"
    )]
    CobraGeometryCalib,
}

impl Related<super::cobra::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cobra.def()
    }
}

impl Related<super::cobra_geometry_calib::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraGeometryCalib.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
