//! `iic_sequence_status`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "iic_sequence_status")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, comment = "Sequence identifier")]
    pub iic_sequence_id: i32,
    #[sea_orm(comment = "Status flag of the sequence")]
    pub status_flag: Option<i32>,
    #[sea_orm(comment = "Status output")]
    pub cmd_output: Option<String>,
    #[sea_orm(comment = "End time [YYYY-MM-DDThh:mm:ss]")]
    pub finished_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::iic_sequence::Entity",
        from = "Column::IicSequenceId",
        to = "super::iic_sequence::Column::IicSequenceId"
    )]
    IicSequence,
}

impl Related<super::iic_sequence::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::IicSequence.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
