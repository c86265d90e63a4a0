//! `pfs_config_sps`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pfs_config_sps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pfs_visit_id: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "The first visit of the set"
    )]
    pub visit0: i32,
    #[sea_orm(comment = "bitMask describing which cameras were use for this visit.")]
    pub cam_mask: Option<i32>,
    #[sea_orm(comment = "Bitmask indicating instrument-related status flags for this visit.")]
    pub inst_status_flag: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::pfs_config::Entity",
        from = "Column::Visit0",
        to = "super::pfs_config::Column::Visit0"
    )]
    PfsConfig,
    #[sea_orm(
        belongs_to = "super::pfs_visit::Entity",
        from = "Column::PfsVisitId",
        to = "super::pfs_visit::Column::PfsVisitId"
    )]
    PfsVisit,
}

impl Related<super::pfs_config::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsConfig.def()
    }
}

impl Related<super::pfs_visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsVisit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
