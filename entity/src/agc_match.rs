//! `agc_match`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agc_match")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "AGC exposure number identifier"
    )]
    pub agc_exposure_id: i32,
    #[sea_orm(primary_key, auto_increment = false, comment = "AGC camera identifier")]
    pub agc_camera_id: i32,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "The AGC spot identifier"
    )]
    pub spot_id: i32,
    #[sea_orm(comment = "pfsDesignId")]
    pub pfs_design_id: Option<i64>,
    #[sea_orm(comment = "GuideStar identifier")]
    pub guide_star_id: Option<i64>,
    #[sea_orm(comment = "Nominal designed x-position on the AGC [PFI mm]")]
    pub agc_nominal_x_mm: Option<f32>,
    #[sea_orm(comment = "Nominal designed y-position on the AGC [PFI mm]")]
    pub agc_nominal_y_mm: Option<f32>,
    #[sea_orm(comment = "Center measured x-position on the AGC [PFI mm]")]
    pub agc_center_x_mm: Option<f32>,
    #[sea_orm(comment = "Center measured y-position on the AGC [PFI mm]")]
    pub agc_center_y_mm: Option<f32>,
    #[sea_orm(comment = "Flags")]
    pub flags: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::agc_data::Entity",
        from = "(Column::AgcExposureId, Column::AgcCameraId, Column::SpotId)",
        to = "(super::agc_data::Column::AgcExposureId, super::agc_data::Column::AgcCameraId, super::agc_data::Column::SpotId)"
    )]
    AgcData,
}

impl Related<super::agc_data::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AgcData.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
