//! `pfs_config`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pfs_config")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pfs_design_id: i64,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        unique,
        comment = "The first visit of the set"
    )]
    pub visit0: i32,
    #[sea_orm(comment = "The right ascension of the PFI center [deg]")]
    pub ra_center_config: Option<f64>,
    #[sea_orm(comment = "The declination of the PFI center [deg]")]
    pub dec_center_config: Option<f64>,
    #[sea_orm(comment = "The position angle of the PFI [deg]")]
    pub pa_config: Option<f32>,
    #[sea_orm(comment = "Allocated total number of cobra iterations towards convergence")]
    pub converg_num_iter: Option<i32>,
    #[sea_orm(comment = "Allocated time for convergence [sec]")]
    pub converg_elapsed_time: Option<f32>,
    #[sea_orm(comment = "Tolerance for convergence [mm]")]
    pub converg_tolerance: Option<f32>,
    #[sea_orm(comment = "[TBW]")]
    pub alloc_rms_scatter: Option<f32>,
    #[sea_orm(comment = "Time at which config was allocated [YYYY-MM-DDhhmmss] (TBC)")]
    pub allocated_at: Option<DateTime>,
    #[sea_orm(comment = "Planned observation time creating the pfsConfig")]
    pub to_be_observed_at: Option<DateTimeWithTimeZone>,
    #[sea_orm(comment = "pfs_utils version creating the pfsConfig")]
    pub pfs_utils_version: Option<String>,
    #[sea_orm(comment = "Planned observation time creating the pfsDesign")]
    pub to_be_observed_at_design: Option<DateTimeWithTimeZone>,
    #[sea_orm(comment = "pfs_utils version creating the pfsDesign")]
    pub pfs_utils_version_design: Option<String>,
    #[sea_orm(comment = "True of configuration was observed (XXX relevant?)")]
    pub was_observed: Option<bool>,
    #[sea_orm(
        comment = "Distance within which a science fiber counts as converged [mm]; decides fiber_status, unlike converg_tolerance"
    )]
    pub converg_distance_threshold: Option<f32>,
    #[sea_orm(comment = "Where a cobra with an invalid target was sent")]
    pub target_fallback_invalid: Option<String>,
    #[sea_orm(comment = "Where a cobra with no assigned target was sent")]
    pub target_fallback_unassigned: Option<String>,
    #[sea_orm(comment = "True if the fiducial interference check was disabled")]
    pub fiducial_check_skipped: Option<bool>,
    #[sea_orm(comment = "InstrumentStatusFlag bitmask, e.g. CONVERGENCE_FAILED")]
    pub inst_status_flag: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::field_set::Entity")]
    FieldSet,
    #[sea_orm(has_many = "super::pfs_config_agc::Entity")]
    PfsConfigAgc,
    #[sea_orm(has_many = "super::pfs_config_fiber::Entity")]
    PfsConfigFiber,
    #[sea_orm(has_many = "super::pfs_config_sps::Entity")]
    PfsConfigSps,
    #[sea_orm(
        belongs_to = "super::pfs_design::Entity",
        from = "Column::PfsDesignId",
        to = "super::pfs_design::Column::PfsDesignId"
    )]
    PfsDesign,
}

impl Related<super::field_set::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FieldSet.def()
    }
}

impl Related<super::pfs_config_agc::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsConfigAgc.def()
    }
}

impl Related<super::pfs_config_fiber::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsConfigFiber.def()
    }
}

impl Related<super::pfs_config_sps::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsConfigSps.def()
    }
}

impl Related<super::pfs_design::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsDesign.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
