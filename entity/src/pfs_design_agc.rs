//! `pfs_design_agc`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pfs_design_agc")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pfs_design_id: i64,
    #[sea_orm(primary_key, auto_increment = false, comment = "GuideStar identifier")]
    pub guide_star_id: i64,
    #[sea_orm(comment = "epoch")]
    pub epoch: Option<String>,
    #[sea_orm(comment = "GuideStar R.A. [deg.]")]
    pub guide_star_ra: Option<f64>,
    #[sea_orm(comment = "GuideStar Dec. [deg.]")]
    pub guide_star_dec: Option<f64>,
    #[sea_orm(comment = "GuideStar proper motion in R.A. [mas/yr]")]
    pub guide_star_pm_ra: Option<f32>,
    #[sea_orm(comment = "GuideStar proper motion in Dec. [mas/yr]")]
    pub guide_star_pm_dec: Option<f32>,
    #[sea_orm(comment = "GuideStar parallax [mas]")]
    pub guide_star_parallax: Option<f32>,
    #[sea_orm(comment = "GuideStar magnitude [mag]")]
    pub guide_star_magnitude: Option<f32>,
    #[sea_orm(comment = "passband")]
    pub passband: Option<String>,
    #[sea_orm(comment = "GuideStar color [mag]")]
    pub guide_star_color: Option<f32>,
    #[sea_orm(comment = "GuideStar catalog flag")]
    pub guide_star_flag: Option<i32>,
    #[sea_orm(comment = "AGC camera identifier")]
    pub agc_camera_id: Option<i32>,
    #[sea_orm(comment = "Target x-position on the AGC [pix]")]
    pub agc_target_x_pix: Option<f32>,
    #[sea_orm(comment = "Target y-position on the AGC [pix]")]
    pub agc_target_y_pix: Option<f32>,
    #[sea_orm(comment = "comments")]
    pub comments: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::pfs_design::Entity",
        from = "Column::PfsDesignId",
        to = "super::pfs_design::Column::PfsDesignId"
    )]
    PfsDesign,
}

impl Related<super::pfs_design::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsDesign.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
