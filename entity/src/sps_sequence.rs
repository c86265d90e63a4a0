//! `sps_sequence`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sps_sequence")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "SpS visit set identifier"
    )]
    pub visit_set_id: i32,
    #[sea_orm(comment = "SpS sequence type")]
    pub sequence_type: Option<String>,
    #[sea_orm(comment = "The unique name assigned to this set of visits")]
    pub name: Option<String>,
    #[sea_orm(comment = "Comments for the sequence")]
    pub comments: Option<String>,
    #[sea_orm(comment = "ICS command string that generates exposures for this set of visits")]
    pub cmd_str: Option<String>,
    #[sea_orm(comment = "Status of the sequence")]
    pub status: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
