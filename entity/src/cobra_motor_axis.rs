//! `cobra_motor_axis`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cobra_motor_axis")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "Motor axis stage number [1,2]"
    )]
    pub cobra_motor_axis_id: i32,
    #[sea_orm(comment = "Corresponding name for axis [Theta, Phi]")]
    pub cobra_motor_axis_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::cobra_motor_model::Entity")]
    CobraMotorModel,
}

impl Related<super::cobra_motor_model::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraMotorModel.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
