//! `obslog_user`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "obslog_user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub account_name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::obslog_mcs_exposure_note::Entity")]
    ObslogMcsExposureNote,
    #[sea_orm(has_many = "super::obslog_visit_note::Entity")]
    ObslogVisitNote,
    #[sea_orm(has_many = "super::obslog_visit_set_note::Entity")]
    ObslogVisitSetNote,
}

impl Related<super::obslog_mcs_exposure_note::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObslogMcsExposureNote.def()
    }
}

impl Related<super::obslog_visit_note::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObslogVisitNote.def()
    }
}

impl Related<super::obslog_visit_set_note::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObslogVisitSetNote.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
