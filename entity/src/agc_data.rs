//! `agc_data`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agc_data")]
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
    pub image_moment_00_pix: Option<f32>,
    #[sea_orm(comment = "The x-center of the spot image in AGC [pix]")]
    pub centroid_x_pix: Option<f32>,
    #[sea_orm(comment = "The y-center of the spot image in AGC [pix]]")]
    pub centroid_y_pix: Option<f32>,
    #[sea_orm(comment = "The 11-component of the second moment")]
    pub central_image_moment_11_pix: Option<f32>,
    #[sea_orm(comment = "The 20-component of the second moment")]
    pub central_image_moment_20_pix: Option<f32>,
    #[sea_orm(comment = "The 02-component of the second moment")]
    pub central_image_moment_02_pix: Option<f32>,
    #[sea_orm(comment = "The peak x pixel")]
    pub peak_pixel_x_pix: Option<i32>,
    #[sea_orm(comment = "The peak y pixel")]
    pub peak_pixel_y_pix: Option<i32>,
    #[sea_orm(comment = "The peak intensity")]
    pub peak_intensity: Option<f32>,
    #[sea_orm(comment = "The background value")]
    pub background: Option<f32>,
    #[sea_orm(comment = "The estimated magnitude of the object")]
    pub estimated_magnitude: Option<f32>,
    #[sea_orm(comment = "Flags")]
    pub flags: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::agc_exposure::Entity",
        from = "Column::AgcExposureId",
        to = "super::agc_exposure::Column::AgcExposureId"
    )]
    AgcExposure,
    #[sea_orm(has_one = "super::agc_match::Entity")]
    AgcMatch,
}

impl Related<super::agc_exposure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AgcExposure.def()
    }
}

impl Related<super::agc_match::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AgcMatch.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
