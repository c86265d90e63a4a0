//! `cobra_convergence_test`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cobra_convergence_test")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cobra_motor_model_id: i32,
    #[sea_orm(primary_key, auto_increment = false, comment = "The iteration number")]
    pub iteration: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "The ID for the target angle of the motor to test"
    )]
    pub cobra_motor_angle_target_id: i32,
    #[sea_orm(comment = "The target angle of the motor to test")]
    pub cobra_motor_angle_target: Option<f32>,
    #[sea_orm(comment = "The difference of the motor angle [deg.]")]
    pub cobra_motor_angle_difference: Option<f32>,
    #[sea_orm(comment = "Signal-to-Noise ratio")]
    pub signal_to_noise_ratio: Option<f32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cobra_motor_model::Entity",
        from = "Column::CobraMotorModelId",
        to = "super::cobra_motor_model::Column::CobraMotorModelId"
    )]
    CobraMotorModel,
}

impl Related<super::cobra_motor_model::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraMotorModel.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
