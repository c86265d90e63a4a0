//! `iic_sequence`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "iic_sequence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, comment = "Sequence identifier")]
    pub iic_sequence_id: i32,
    #[sea_orm(comment = "Sequence type")]
    pub sequence_type: Option<String>,
    #[sea_orm(comment = "The unique name assigned to this set of visits")]
    pub name: Option<String>,
    #[sea_orm(comment = "Comments for the sequence")]
    pub comments: Option<String>,
    #[sea_orm(comment = "ICS command string that generates exposures for this set of visits")]
    pub cmd_str: Option<String>,
    #[sea_orm(comment = "Group identifier")]
    pub group_id: Option<i32>,
    #[sea_orm(comment = "Creation time [YYYY-MM-DDThh:mm:ss]")]
    pub created_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_one = "super::field_set::Entity")]
    FieldSet,
    #[sea_orm(has_one = "super::iic_sequence_status::Entity")]
    IicSequenceStatus,
    #[sea_orm(has_many = "super::obslog_visit_set_note::Entity")]
    ObslogVisitSetNote,
    #[sea_orm(
        belongs_to = "super::sequence_group::Entity",
        from = "Column::GroupId",
        to = "super::sequence_group::Column::GroupId"
    )]
    SequenceGroup,
    #[sea_orm(has_many = "super::visit_set::Entity")]
    VisitSet,
}

impl Related<super::field_set::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FieldSet.def()
    }
}

impl Related<super::iic_sequence_status::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::IicSequenceStatus.def()
    }
}

impl Related<super::obslog_visit_set_note::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObslogVisitSetNote.def()
    }
}

impl Related<super::sequence_group::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SequenceGroup.def()
    }
}

impl Related<super::visit_set::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::VisitSet.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
