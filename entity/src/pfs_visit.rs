//! `pfs_visit`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pfs_visit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pfs_visit_id: i32,
    pub pfs_visit_description: Option<String>,
    pub pfs_design_id: Option<i64>,
    #[sea_orm(comment = "Issued time [YYYY-MM-DDThh:mm:ss]")]
    pub issued_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::agc_exposure::Entity")]
    AgcExposure,
    #[sea_orm(has_many = "super::cobra_target::Entity")]
    CobraTarget,
    #[sea_orm(has_many = "super::dot_roach_flux::Entity")]
    DotRoachFlux,
    #[sea_orm(has_many = "super::env_condition::Entity")]
    EnvCondition,
    #[sea_orm(has_one = "super::mcs_boresight::Entity")]
    McsBoresight,
    #[sea_orm(has_many = "super::mcs_exposure::Entity")]
    McsExposure,
    #[sea_orm(has_many = "super::obs_condition::Entity")]
    ObsCondition,
    #[sea_orm(has_many = "super::obslog_fits_header::Entity")]
    ObslogFitsHeader,
    #[sea_orm(has_many = "super::obslog_visit_note::Entity")]
    ObslogVisitNote,
    #[sea_orm(has_many = "super::pfs_config_sps::Entity")]
    PfsConfigSps,
    #[sea_orm(has_one = "super::sps_visit::Entity")]
    SpsVisit,
    #[sea_orm(has_many = "super::tel_status::Entity")]
    TelStatus,
    #[sea_orm(has_one = "super::visit_set::Entity")]
    VisitSet,
}

impl Related<super::agc_exposure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AgcExposure.def()
    }
}

impl Related<super::cobra_target::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraTarget.def()
    }
}

impl Related<super::dot_roach_flux::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DotRoachFlux.def()
    }
}

impl Related<super::env_condition::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::EnvCondition.def()
    }
}

impl Related<super::mcs_boresight::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::McsBoresight.def()
    }
}

impl Related<super::mcs_exposure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::McsExposure.def()
    }
}

impl Related<super::obs_condition::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObsCondition.def()
    }
}

impl Related<super::obslog_fits_header::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObslogFitsHeader.def()
    }
}

impl Related<super::obslog_visit_note::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObslogVisitNote.def()
    }
}

impl Related<super::pfs_config_sps::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsConfigSps.def()
    }
}

impl Related<super::sps_visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SpsVisit.def()
    }
}

impl Related<super::tel_status::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TelStatus.def()
    }
}

impl Related<super::visit_set::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::VisitSet.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
