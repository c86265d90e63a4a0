//! `input_catalog`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "input_catalog")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub cat_id: i32,
    pub input_catalog_name: Option<String>,
    pub input_catalog_description: Option<String>,
    pub created_at: Option<DateTime>,
    pub updated_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::guide_stars::Entity")]
    GuideStars,
}

impl Related<super::guide_stars::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GuideStars.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
