//! `obslog_mcs_exposure_note`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "obslog_mcs_exposure_note")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: Option<i32>,
    pub mcs_exposure_frame_id: Option<i32>,
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::mcs_exposure::Entity",
        from = "Column::McsExposureFrameId",
        to = "super::mcs_exposure::Column::McsFrameId"
    )]
    McsExposure,
    #[sea_orm(
        belongs_to = "super::obslog_user::Entity",
        from = "Column::UserId",
        to = "super::obslog_user::Column::Id"
    )]
    ObslogUser,
}

impl Related<super::mcs_exposure::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::McsExposure.def()
    }
}

impl Related<super::obslog_user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObslogUser.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
