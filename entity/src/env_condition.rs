//! `env_condition`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "env_condition")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pfs_visit_id: i32,
    #[sea_orm(primary_key, auto_increment = false, comment = "Gen2 status sequence")]
    pub status_sequence_id: i32,
    #[sea_orm(comment = "Dome temperature [K]")]
    pub dome_temperature: Option<f32>,
    #[sea_orm(comment = "Dome pressure [hPa]")]
    pub dome_pressure: Option<f32>,
    #[sea_orm(comment = "Dome humidity [%]")]
    pub dome_humidity: Option<f32>,
    #[sea_orm(comment = "Outside temperature [K]")]
    pub outside_temperature: Option<f32>,
    #[sea_orm(comment = "Outside pressure [hPa]")]
    pub outside_pressure: Option<f32>,
    #[sea_orm(comment = "Outside humidity [%]")]
    pub outside_humidity: Option<f32>,
    #[sea_orm(indexed, comment = "Issued time [YYYY-MM-DDThh:mm:ss]")]
    pub created_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::pfs_visit::Entity",
        from = "Column::PfsVisitId",
        to = "super::pfs_visit::Column::PfsVisitId"
    )]
    PfsVisit,
}

impl Related<super::pfs_visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsVisit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
