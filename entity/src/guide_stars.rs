//! `guide_stars`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "guide_stars")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub guide_star_id: i64,
    pub ra: Option<f64>,
    pub decl: Option<f64>,
    pub cat_id: Option<i32>,
    pub obj_type_id: Option<i32>,
    pub mag_agc: Option<f32>,
    pub flux_agc: Option<f32>,
    pub flags: Option<i32>,
    pub created_at: Option<DateTime>,
    pub updated_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::input_catalog::Entity",
        from = "Column::CatId",
        to = "super::input_catalog::Column::CatId"
    )]
    InputCatalog,
}

impl Related<super::input_catalog::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::InputCatalog.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
