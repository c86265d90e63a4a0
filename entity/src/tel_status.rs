//! `tel_status`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tel_status")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pfs_visit_id: i32,
    #[sea_orm(primary_key, auto_increment = false, comment = "Gen2 status sequence")]
    pub status_sequence_id: i32,
    #[sea_orm(comment = "The telescope altitude [deg]")]
    pub altitude: Option<f32>,
    #[sea_orm(comment = "The telescope azimuth [deg]")]
    pub azimuth: Option<f32>,
    #[sea_orm(comment = "The telescope instrument rotation angle [deg]")]
    pub insrot: Option<f32>,
    #[sea_orm(comment = "The INST_PA at which the exposure started [deg]")]
    pub inst_pa: Option<f32>,
    #[sea_orm(comment = "ADC PA at which the exposure started [deg]")]
    pub adc_pa: Option<f32>,
    #[sea_orm(comment = "Hexapod position [mm]")]
    pub m2_pos3: Option<f32>,
    #[sea_orm(comment = "Hexapod focus offset [mm]")]
    pub m2_off3: Option<f32>,
    #[sea_orm(comment = "The telescope target R.A. [deg]")]
    pub tel_ra: Option<f32>,
    #[sea_orm(comment = "The telescope target Dec. [deg]")]
    pub tel_dec: Option<f32>,
    #[sea_orm(comment = "Offset to the R.A. coordinate [arcsec]")]
    pub dither_ra: Option<f32>,
    #[sea_orm(comment = "Offset to the DEC. coordinate [arcsec]")]
    pub dither_dec: Option<f32>,
    #[sea_orm(comment = "Offset to the INST_PA [arcsec]")]
    pub dither_pa: Option<f32>,
    #[sea_orm(comment = "Dome slit status (open/close/unknown)")]
    pub dome_shutter_status: Option<i32>,
    #[sea_orm(comment = "Dome (room) light mask interger")]
    pub dome_light_status: Option<i32>,
    #[sea_orm(comment = "Which sub-system calls (e.g., mcs, agcc, etc.)")]
    pub caller: Option<String>,
    #[sea_orm(indexed, comment = "Issued time [YYYY-MM-DDThh:mm:ss]")]
    pub created_at: Option<DateTime>,
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
