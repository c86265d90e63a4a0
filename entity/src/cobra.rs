//! `cobra`: SeaORM entity of the opDB table of that name.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cobra")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        comment = "Cobra identifier (1..2394). There is one of these for each science fiber."
    )]
    pub cobra_id: i32,
    #[sea_orm(comment = "Field (1..3).")]
    pub field_on_pfi: Option<i32>,
    #[sea_orm(comment = "Cobra-in-field (1..798). cf = 57*(mf-1)+cm.")]
    pub cobra_in_field: Option<i32>,
    #[sea_orm(comment = "Cobra module id (1..42)")]
    pub cobra_module_id: Option<i32>,
    #[sea_orm(
        comment = "Module-in-field (1..14). The number of the module within the field, with 1 at the center of the PFI."
    )]
    pub module_in_field: Option<i32>,
    #[sea_orm(
        comment = "Cobra-in-module (1..57). 1 is the bottom-left cobra in a module when looked at with the wide (29-cobra) board down. Increasing as you move across the module."
    )]
    pub cobra_in_module: Option<i32>,
    #[sea_orm(comment = "Cobra-in-board (1..29). Each board has either 29 or 28 cobras.")]
    pub cobra_in_board: Option<i32>,
    #[sea_orm(comment = "Cobra board id (1..84). One Cobra module has two boards.")]
    pub cobra_board_id: Option<i32>,
    #[sea_orm(
        column_type = "String(StringLen::N(3))",
        comment = "Cobra module id associated with MTP ferrule. There are 84 of these, numbered 1 through 42 with A and B suffixes. (e.g.,13B)"
    )]
    pub mtp: Option<String>,
    #[sea_orm(comment = "Spectrograph that the cobra feeds (1..4)")]
    pub sps_module_id: Option<i32>,
    #[sea_orm(
        comment = "Fiber hole (1..651). This is the position in the spectrograph slit head."
    )]
    pub sps_slit_hole: Option<i32>,
    #[sea_orm(
        comment = " Science fiber (1..2394). This is a unique identifier for each science fiber."
    )]
    pub science_fiber_id: Option<i32>,
    #[sea_orm(
        comment = "The fiber identifier (1..2604). This is a unique identifier for each fiber (both science and engineering). fiberId = 651*(sp-1)+fh."
    )]
    pub fiber_id: Option<i32>,
    #[sea_orm(
        column_type = "String(StringLen::N(4))",
        comment = "SuNSS fiber id. ID consists of fiber number and mode (i is imaging, and d is diffuse)."
    )]
    pub sunss_id: Option<String>,
    #[sea_orm(
        comment = "Identifier of the USCONNEC connector hole at the Cable B-C interface. MTP = A)"
    )]
    pub mtp_a_id: Option<String>,
    #[sea_orm(
        comment = "Identifier of the USCONNEC connector hole at the Cable B-C interface. MTP = C)"
    )]
    pub mtp_c_id: Option<String>,
    #[sea_orm(
        comment = "Identifier of the USCONNEC connector hole at the Cable B-C interface. MTP = BA)"
    )]
    pub mtp_ba_id: Option<String>,
    #[sea_orm(
        comment = "Identifier of the USCONNEC connector hole at the Cable B-C interface. MTP = BC)"
    )]
    pub mtp_bc_id: Option<String>,
    pub version: Option<String>,
    pub created_at: Option<DateTime>,
    pub updated_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::cobra_geometry::Entity")]
    CobraGeometry,
    #[sea_orm(has_many = "super::dot_roach_flux::Entity")]
    DotRoachFlux,
}

impl Related<super::cobra_geometry::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CobraGeometry.def()
    }
}

impl Related<super::dot_roach_flux::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DotRoachFlux.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
