//! `sequence_group`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sequence_group")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, comment = "Group identifier")]
    pub group_id: i32,
    #[sea_orm(comment = "Group name")]
    pub group_name: Option<String>,
    #[sea_orm(comment = "Creation time [YYYY-MM-DDThh:mm:ss]")]
    pub created_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::iic_sequence::Entity")]
    IicSequence,
}

impl Related<super::iic_sequence::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::IicSequence.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
