//! `cobra_motor_calib`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cobra_motor_calib")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub cobra_motor_calib_id: i32,
    #[sea_orm(comment = "Date at which the model calibration took place [YYYY-MM-DDhh:mm:ss]")]
    pub calibrated_at: Option<DateTime>,
    #[sea_orm(comment = "Comments")]
    pub comments: Option<String>,
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
