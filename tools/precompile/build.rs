//! The engine configuration lives in the host crate and is shared by path; tell cargo to rebuild this tool when it
//! changes (the nested build in `host/build.rs` otherwise keeps a stale tool whose engine rejects new plugins).
fn main() {
    println!("cargo:rerun-if-changed=../../host/src/plugin/engine_config.rs");
    println!("cargo:rerun-if-changed=src");
}
