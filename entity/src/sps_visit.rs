//! `sps_visit`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sps_visit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, comment = "PFS visit identifier")]
    pub pfs_visit_id: i32,
    #[sea_orm(comment = "Type of exposure: BIAS, FLAT, DFLAT etc.")]
    pub exp_type: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::pfs_visit::Entity",
        from = "Column::PfsVisitId",
        to = "super::pfs_visit::Column::PfsVisitId"
    )]
    PfsVisit,
    #[sea_orm(has_many = "super::sps_exposure::Entity")]
    SpsExposure,
}

impl Related<super::pfs_visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsVisit.def()
    }
}

impl Related<super::sps_exposure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SpsExposure.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
