migration::main!();
