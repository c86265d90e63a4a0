//! `cobra_move`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cobra_move")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, comment = "PFS visit identifier")]
    pub pfs_visit_id: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "Iteration number for this frame"
    )]
    pub iteration: i32,
    #[sea_orm(primary_key, auto_increment = false, comment = "Fiber identifier")]
    pub cobra_id: i32,
    pub cobra_motor_model_id_theta: Option<i32>,
    #[sea_orm(comment = "the target angle of the theta motor")]
    pub motor_target_theta: Option<f32>,
    #[sea_orm(comment = "the number of steps the theta motor has undertaken")]
    pub motor_num_step_theta: Option<i32>,
    #[sea_orm(comment = "the theta motor ontime value")]
    pub motor_on_time_theta: Option<f32>,
    pub cobra_motor_model_id_phi: Option<i32>,
    #[sea_orm(comment = "the target angle of the phi motor")]
    pub motor_target_phi: Option<f32>,
    #[sea_orm(comment = "the number of steps the phi motor has undertaken")]
    pub motor_num_step_phi: Option<i32>,
    #[sea_orm(comment = "the phi motor ontime value")]
    pub motor_on_time_phi: Option<f32>,
    #[sea_orm(comment = "flags for movement etc.")]
    pub flags: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cobra_match::Entity",
        from = "(Column::PfsVisitId, Column::Iteration, Column::CobraId)",
        to = "(super::cobra_match::Column::PfsVisitId, super::cobra_match::Column::Iteration, super::cobra_match::Column::CobraId)"
    )]
    CobraMatch,
}

impl Related<super::cobra_match::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraMatch.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
