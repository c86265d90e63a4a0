//! `obs_condition`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "obs_condition")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pfs_visit_id: i32,
    #[sea_orm(primary_key, auto_increment = false, comment = "Gen2 status sequence")]
    pub status_sequence_id: i32,
    pub airmass: Option<f32>,
    pub moon_phase: Option<f32>,
    pub moon_alt: Option<f32>,
    pub moon_sep: Option<f32>,
    pub seeing: Option<f32>,
    pub transparency: Option<f32>,
    pub cloud_condition_id: Option<i32>,
    #[sea_orm(indexed, comment = "Issued time [YYYY-MM-DDThh:mm:ss]")]
    pub created_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cloud_condition::Entity",
        from = "Column::CloudConditionId",
        to = "super::cloud_condition::Column::CloudConditionId"
    )]
    CloudCondition,
    #[sea_orm(
        belongs_to = "super::pfs_visit::Entity",
        from = "Column::PfsVisitId",
        to = "super::pfs_visit::Column::PfsVisitId"
    )]
    PfsVisit,
}

impl Related<super::cloud_condition::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CloudCondition.def()
    }
}

impl Related<super::pfs_visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsVisit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
