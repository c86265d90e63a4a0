//! `agc_exposure`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agc_exposure")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "AGC exposure number identifier"
    )]
    pub agc_exposure_id: i32,
    #[sea_orm(comment = "PFS visit identifier")]
    pub pfs_visit_id: Option<i32>,
    #[sea_orm(comment = "The exposure time for the frame [sec]")]
    pub agc_exptime: Option<f32>,
    #[sea_orm(comment = "The telescope altitude [deg]")]
    pub altitude: Option<f32>,
    #[sea_orm(comment = "The telescope azimuth [deg]")]
    pub azimuth: Option<f32>,
    #[sea_orm(comment = "The telescope instrument rotation angle [deg]")]
    pub insrot: Option<f32>,
    #[sea_orm(comment = "ADC PA at which the exposure started [deg]")]
    pub adc_pa: Option<f32>,
    #[sea_orm(comment = "Hexapod position [mm]")]
    pub m2_pos3: Option<f32>,
    #[sea_orm(comment = "Outside temperature [K]")]
    pub outside_temperature: Option<f32>,
    #[sea_orm(comment = "Outside pressure [hPa]")]
    pub outside_pressure: Option<f32>,
    #[sea_orm(comment = "Outside humidity [%]")]
    pub outside_humidity: Option<f32>,
    #[sea_orm(comment = "Spot measurement algorithm (windowed/sep)")]
    pub measurement_algorithm: Option<String>,
    #[sea_orm(comment = "Version of the actor")]
    pub version_actor: Option<String>,
    #[sea_orm(comment = "Version of the pfs_instdata")]
    pub version_instdata: Option<String>,
    #[sea_orm(comment = "The time at which the exposure was taken [YYYY-MM-DDThh-mm-sss]")]
    pub taken_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::agc_data::Entity")]
    AgcData,
    #[sea_orm(has_one = "super::agc_guide_offset::Entity")]
    AgcGuideOffset,
    #[sea_orm(
        belongs_to = "super::pfs_visit::Entity",
        from = "Column::PfsVisitId",
        to = "super::pfs_visit::Column::PfsVisitId"
    )]
    PfsVisit,
}

impl Related<super::agc_data::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AgcData.def()
    }
}

impl Related<super::agc_guide_offset::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AgcGuideOffset.def()
    }
}

impl Related<super::pfs_visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsVisit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
