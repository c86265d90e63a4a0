//! `agc_guide_offset`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agc_guide_offset")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "AGC exposure number identifier"
    )]
    pub agc_exposure_id: i32,
    #[sea_orm(comment = "The designed FoV R.A. center [deg.]")]
    pub guide_ra: Option<f64>,
    #[sea_orm(comment = "The designed FoV Dec. center [deg.]")]
    pub guide_dec: Option<f64>,
    #[sea_orm(comment = "The designed FoV PA [deg.]")]
    pub guide_pa: Option<f32>,
    #[sea_orm(comment = "The calculated FoV R.A. offset [arcsec.]")]
    pub guide_delta_ra: Option<f32>,
    #[sea_orm(comment = "The calculated FoV Dec. offset [arcsec.]")]
    pub guide_delta_dec: Option<f32>,
    #[sea_orm(comment = "The calculated InsRot offset [arcsec.]")]
    pub guide_delta_insrot: Option<f32>,
    #[sea_orm(comment = "The calculated scale offset [arcsec.]")]
    pub guide_delta_scale: Option<f32>,
    #[sea_orm(comment = "The calculated Az offset [arcsec.] (optional)")]
    pub guide_delta_az: Option<f32>,
    #[sea_orm(comment = "The calculated El offset [arcsec.] (optional)")]
    pub guide_delta_el: Option<f32>,
    #[sea_orm(comment = "The calculated focus offset [mm]")]
    pub guide_delta_z: Option<f32>,
    #[sea_orm(comment = "The calculated focus offset for AGC1 [mm]")]
    pub guide_delta_z1: Option<f32>,
    #[sea_orm(comment = "The calculated focus offset for AGC2 [mm]")]
    pub guide_delta_z2: Option<f32>,
    #[sea_orm(comment = "The calculated focus offset for AGC3 [mm]")]
    pub guide_delta_z3: Option<f32>,
    #[sea_orm(comment = "The calculated focus offset for AGC4 [mm]")]
    pub guide_delta_z4: Option<f32>,
    #[sea_orm(comment = "The calculated focus offset for AGC5 [mm]")]
    pub guide_delta_z5: Option<f32>,
    #[sea_orm(comment = "The calculated focus offset for AGC6 [mm]")]
    pub guide_delta_z6: Option<f32>,
    #[sea_orm(comment = "A mask of the active elements being fit")]
    pub mask: Option<i32>,
    #[sea_orm(comment = "The time at which the exposure was taken [YYYY-MM-DDThh-mm-sss]")]
    pub taken_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::agc_exposure::Entity",
        from = "Column::AgcExposureId",
        to = "super::agc_exposure::Column::AgcExposureId"
    )]
    AgcExposure,
}

impl Related<super::agc_exposure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AgcExposure.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
