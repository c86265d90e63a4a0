//! `cobra_motor_model`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cobra_motor_model")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub cobra_motor_model_id: i32,
    #[sea_orm(indexed)]
    pub cobra_motor_calib_id: Option<i32>,
    #[sea_orm(indexed, comment = "The cobra fiber identifier")]
    pub cobra_id: Option<i32>,
    #[sea_orm(indexed)]
    pub cobra_motor_axis_id: Option<i32>,
    #[sea_orm(indexed)]
    pub cobra_motor_direction_id: Option<i32>,
    #[sea_orm(comment = "The ontime level")]
    pub cobra_motor_on_time: Option<f32>,
    #[sea_orm(comment = "The step size resolution")]
    pub cobra_motor_step_size: Option<f32>,
    #[sea_orm(comment = "The motor frequency")]
    pub cobra_motor_frequency: Option<f32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::cobra_convergence_test::Entity")]
    CobraConvergenceTest,
    #[sea_orm(
        belongs_to = "super::cobra_motor_axis::Entity",
        from = "Column::CobraMotorAxisId",
        to = "super::cobra_motor_axis::Column::CobraMotorAxisId"
    )]
    CobraMotorAxis,
    #[sea_orm(
        belongs_to = "super::cobra_motor_calib::Entity",
        from = "Column::CobraMotorCalibId",
        to = "super::cobra_motor_calib::Column::CobraMotorCalibId"
    )]
    CobraMotorCalib,
    #[sea_orm(
        belongs_to = "super::cobra_motor_direction::Entity",
        from = "Column::CobraMotorDirectionId",
        to = "super::cobra_motor_direction::Column::CobraMotorDirectionId"
    )]
    CobraMotorDirection,
    #[sea_orm(has_many = "super::cobra_motor_map::Entity")]
    CobraMotorMap,
}

impl Related<super::cobra_convergence_test::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraConvergenceTest.def()
    }
}

impl Related<super::cobra_motor_axis::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraMotorAxis.def()
    }
}

impl Related<super::cobra_motor_calib::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraMotorCalib.def()
    }
}

impl Related<super::cobra_motor_direction::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraMotorDirection.def()
    }
}

impl Related<super::cobra_motor_map::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraMotorMap.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
