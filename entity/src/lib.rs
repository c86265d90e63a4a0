//! The opDB (Subaru PFS operational database) as SeaORM 2.0 entities.
//!
//! These modules are the single source of truth of the schema: `opdb revision --autogenerate`
//! diffs them against the live database, and the tests check them against
//! `tests/fixtures/opdb_schema.sql`. See the crate README for the conventions.

pub mod agc_data;
pub mod agc_exposure;
pub mod agc_guide_offset;
pub mod agc_match;
pub mod beam_switch_mode;
pub mod calib;
pub mod calib_set;
pub mod camera_model_f3c_mcs;
pub mod cloud_condition;
pub mod cobra;
pub mod cobra_convergence_test;
pub mod cobra_geometry;
pub mod cobra_geometry_calib;
pub mod cobra_match;
pub mod cobra_motor_axis;
pub mod cobra_motor_calib;
pub mod cobra_motor_direction;
pub mod cobra_motor_map;
pub mod cobra_motor_model;
pub mod cobra_move;
pub mod cobra_target;
pub mod dot_roach_flux;
pub mod env_condition;
pub mod fiducial_fiber;
pub mod fiducial_fiber_calib;
pub mod fiducial_fiber_geometry;
pub mod fiducial_fiber_match;
pub mod field_set;
pub mod guide_stars;
pub mod iic_sequence;
pub mod iic_sequence_status;
pub mod input_catalog;
pub mod mcs_boresight;
pub mod mcs_camera;
pub mod mcs_data;
pub mod mcs_exposure;
pub mod mcs_pfi_transformation;
pub mod obs_condition;
pub mod obslog_fits_header;
pub mod obslog_mcs_exposure_note;
pub mod obslog_user;
pub mod obslog_visit_note;
pub mod obslog_visit_set_note;
pub mod pfs_config;
pub mod pfs_config_agc;
pub mod pfs_config_fiber;
pub mod pfs_config_sps;
pub mod pfs_design;
pub mod pfs_design_agc;
pub mod pfs_design_fiber;
pub mod pfs_visit;
pub mod sequence_group;
pub mod sps_annotation;
pub mod sps_camera;
pub mod sps_condition;
pub mod sps_exposure;
pub mod sps_module;
pub mod sps_sequence;
pub mod sps_visit;
pub mod tel_status;
pub mod visit_set;

/// Every opDB entity, read by the engine into one set. It is compiled here, with the entities,
/// rather than in the binary: the binary is compiled again for every new revision (its build
/// script compiles the revisions in), and reading 61 entities is most of what it would compile
/// again (BENCHMARKS.md, "A new revision's rebuild").
pub fn entities() -> migration::EntitySet {
    let mut set = migration::EntitySet::new();
    macro_rules! add {
        ($m:ident) => {
            set.add($m::Entity);
        };
    }
    for_each_entity!(add);
    set
}

/// Calls `$callback!(module)` once for every table module above, in table-name order.
///
/// This is how generic code (the migration engine, the tests, the diagram writer) walks the
/// whole model without a hand-kept list: SeaORM's `EntityTrait` is not object-safe, so the
/// entities cannot sit in one `Vec`, but a macro can expand one typed call per entity.
///
/// ```
/// let mut names = Vec::new();
/// macro_rules! push {
///     ($m:ident) => {
///         names.push(sea_orm::EntityName::table_name(&entity::$m::Entity));
///     };
/// }
/// entity::for_each_entity!(push);
/// assert_eq!(names.len(), entity::TABLE_COUNT);
/// ```
#[macro_export]
macro_rules! for_each_entity {
    ($callback:ident) => {
        $callback!(agc_data);
        $callback!(agc_exposure);
        $callback!(agc_guide_offset);
        $callback!(agc_match);
        $callback!(beam_switch_mode);
        $callback!(calib);
        $callback!(calib_set);
        $callback!(camera_model_f3c_mcs);
        $callback!(cloud_condition);
        $callback!(cobra);
        $callback!(cobra_convergence_test);
        $callback!(cobra_geometry);
        $callback!(cobra_geometry_calib);
        $callback!(cobra_match);
        $callback!(cobra_motor_axis);
        $callback!(cobra_motor_calib);
        $callback!(cobra_motor_direction);
        $callback!(cobra_motor_map);
        $callback!(cobra_motor_model);
        $callback!(cobra_move);
        $callback!(cobra_target);
        $callback!(dot_roach_flux);
        $callback!(env_condition);
        $callback!(fiducial_fiber);
        $callback!(fiducial_fiber_calib);
        $callback!(fiducial_fiber_geometry);
        $callback!(fiducial_fiber_match);
        $callback!(field_set);
        $callback!(guide_stars);
        $callback!(iic_sequence);
        $callback!(iic_sequence_status);
        $callback!(input_catalog);
        $callback!(mcs_boresight);
        $callback!(mcs_camera);
        $callback!(mcs_data);
        $callback!(mcs_exposure);
        $callback!(mcs_pfi_transformation);
        $callback!(obs_condition);
        $callback!(obslog_fits_header);
        $callback!(obslog_mcs_exposure_note);
        $callback!(obslog_user);
        $callback!(obslog_visit_note);
        $callback!(obslog_visit_set_note);
        $callback!(pfs_config);
        $callback!(pfs_config_agc);
        $callback!(pfs_config_fiber);
        $callback!(pfs_config_sps);
        $callback!(pfs_design);
        $callback!(pfs_design_agc);
        $callback!(pfs_design_fiber);
        $callback!(pfs_visit);
        $callback!(sequence_group);
        $callback!(sps_annotation);
        $callback!(sps_camera);
        $callback!(sps_condition);
        $callback!(sps_exposure);
        $callback!(sps_module);
        $callback!(sps_sequence);
        $callback!(sps_visit);
        $callback!(tel_status);
        $callback!(visit_set);
    };
}

/// How many tables the opDB has (one entity each).
pub const TABLE_COUNT: usize = 61;
