//! `mcs_boresight`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "mcs_boresight")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pfs_visit_id: i32,
    pub mcs_boresight_x_pix: Option<f32>,
    pub mcs_boresight_y_pix: Option<f32>,
    pub calculated_at: Option<DateTime>,
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
