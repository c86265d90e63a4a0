//! `obslog_visit_set_note`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "obslog_visit_set_note")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: Option<i32>,
    pub iic_sequence_id: Option<i32>,
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::iic_sequence::Entity",
        from = "Column::IicSequenceId",
        to = "super::iic_sequence::Column::IicSequenceId"
    )]
    IicSequence,
    #[sea_orm(
        belongs_to = "super::obslog_user::Entity",
        from = "Column::UserId",
        to = "super::obslog_user::Column::Id"
    )]
    ObslogUser,
}

impl Related<super::iic_sequence::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::IicSequence.def()
    }
}

impl Related<super::obslog_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObslogUser.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
