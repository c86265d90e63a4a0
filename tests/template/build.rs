fn main() {
    migration_build::build();
}
