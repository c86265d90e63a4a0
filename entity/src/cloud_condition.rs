//! `cloud_condition`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cloud_condition")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cloud_condition_id: i32,
    pub cloud_condition_name: Option<String>,
    pub cloud_condition_description: Option<String>,
    pub created_at: Option<DateTime>,
    pub updated_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::obs_condition::Entity")]
    ObsCondition,
}

impl Related<super::obs_condition::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ObsCondition.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
