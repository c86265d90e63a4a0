//! `cobra_motor_map`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cobra_motor_map")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cobra_motor_model_id: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "The motor movement sequence"
    )]
    pub cobra_motor_move_sequence: i32,
    #[sea_orm(comment = "The angle of the motor [deg]")]
    pub cobra_motor_angle: Option<f32>,
    #[sea_orm(comment = "The speed of the motor [deg/step] (TBC)")]
    pub cobra_motor_speed: Option<f32>,
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
