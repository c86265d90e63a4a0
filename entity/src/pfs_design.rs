//! `pfs_design`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pfs_design")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pfs_design_id: i64,
    #[sea_orm(comment = "Human-readable name for the design (designName)")]
    pub design_name: Option<String>,
    #[sea_orm(comment = "Counter of which variant of `designId0` we are. Requires `designId0`")]
    pub variant: i32,
    #[sea_orm(comment = "pfsDesignId of the pfsDesign we are a variant of. Requires `variant`")]
    pub design_id0: i64,
    pub tile_id: Option<i32>,
    pub ra_center_designed: Option<f64>,
    pub dec_center_designed: Option<f64>,
    pub pa_designed: Option<f32>,
    pub num_sci_designed: Option<i32>,
    pub num_cal_designed: Option<i32>,
    pub num_sky_designed: Option<i32>,
    pub num_guide_stars: Option<i32>,
    pub exptime_tot: Option<f32>,
    pub exptime_min: Option<f32>,
    pub ets_version: Option<String>,
    pub ets_assigner: Option<String>,
    pub designed_at: Option<DateTime>,
    #[sea_orm(comment = "Planned observation time creating the pfsDesign")]
    pub to_be_observed_at: Option<DateTimeWithTimeZone>,
    #[sea_orm(comment = "pfs_utils version creating the pfsDesign")]
    pub pfs_utils_version: Option<String>,
    pub is_obsolete: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::calib::Entity")]
    Calib,
    #[sea_orm(has_many = "super::pfs_config::Entity")]
    PfsConfig,
    #[sea_orm(has_many = "super::pfs_design_agc::Entity")]
    PfsDesignAgc,
    #[sea_orm(has_many = "super::pfs_design_fiber::Entity")]
    PfsDesignFiber,
}

impl Related<super::calib::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Calib.def()
    }
}

impl Related<super::pfs_config::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsConfig.def()
    }
}

impl Related<super::pfs_design_agc::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsDesignAgc.def()
    }
}

impl Related<super::pfs_design_fiber::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsDesignFiber.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
