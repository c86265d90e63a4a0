//! `dot_roach_flux`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dot_roach_flux")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, comment = "PFS visit identifier")]
    pub pfs_visit_id: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "Cobra identifier (1..2394)"
    )]
    pub cobra_id: i32,
    #[sea_orm(comment = "Raw extracted flux [ADU]")]
    pub flux_abs: Option<f32>,
    #[sea_orm(comment = "Extracted flux divided by the extracted reference spectra")]
    pub flux_ratio: Option<f32>,
    #[sea_orm(comment = "Flux ratio normalized by lamp response")]
    pub flux_ratio_norm: Option<f32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::cobra::Entity",
        from = "Column::CobraId",
        to = "super::cobra::Column::CobraId"
    )]
    Cobra,
    #[sea_orm(
        belongs_to = "super::pfs_visit::Entity",
        from = "Column::PfsVisitId",
        to = "super::pfs_visit::Column::PfsVisitId"
    )]
    PfsVisit,
}

impl Related<super::cobra::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cobra.def()
    }
}

impl Related<super::pfs_visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsVisit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
