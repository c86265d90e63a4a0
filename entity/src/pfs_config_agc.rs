//! `pfs_config_agc`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pfs_config_agc")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pfs_design_id: i64,
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "The first visit of the set"
    )]
    pub visit0: i32,
    #[sea_orm(primary_key, auto_increment = false, comment = "GuideStar identifier")]
    pub guide_star_id: i64,
    #[sea_orm(comment = "AGC camera identifier")]
    pub agc_camera_id: Option<i32>,
    #[sea_orm(comment = "Final x-position on the AGC [pix]")]
    pub agc_final_x_pix: Option<f32>,
    #[sea_orm(comment = "Final y-position on the AGC [pix]")]
    pub agc_final_y_pix: Option<f32>,
    #[sea_orm(comment = "comments")]
    pub comments: Option<String>,
    #[sea_orm(comment = "GuideStar R.A. [deg.]")]
    pub guide_star_ra: Option<f64>,
    #[sea_orm(comment = "GuideStar Dec. [deg.]")]
    pub guide_star_dec: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::pfs_config::Entity",
        from = "(Column::PfsDesignId, Column::Visit0)",
        to = "(super::pfs_config::Column::PfsDesignId, super::pfs_config::Column::Visit0)"
    )]
    PfsConfig,
}

impl Related<super::pfs_config::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PfsConfig.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
