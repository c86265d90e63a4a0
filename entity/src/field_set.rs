//! `field_set`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "field_set")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub iic_sequence_id: i32,
    pub visit0: Option<i32>,
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
        belongs_to = "super::pfs_config::Entity",
        from = "Column::Visit0",
        to = "super::pfs_config::Column::Visit0"
    )]
    PfsConfig,
}

impl Related<super::iic_sequence::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::IicSequence.def()
    }
}

impl Related<super::pfs_config::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsConfig.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
