//! `obslog_fits_header`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "obslog_fits_header")]
pub struct Model {
    #[sea_orm(indexed)]
    pub pfs_visit_id: Option<i32>,
    #[sea_orm(primary_key, auto_increment = false)]
    pub filestem: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub hdu_index: i32,
    #[sea_orm(column_type = "JsonBinary")]
    pub cards_dict: Json,
    #[sea_orm(column_type = "JsonBinary")]
    pub cards_list: Json,
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
