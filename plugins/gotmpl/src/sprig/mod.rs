//! Sprig v3 template functions (the `genericMap` Helm uses, minus `env` and `expandenv`).
//!
//! One module per family. `register` adds them all; Helm's own functions are registered afterwards by the Helm
//! renderer and override Sprig's where Helm does.

use crate::funcs::Funcs;

mod crypto;
mod dates;
mod network;
mod random;
mod semver;

/// Register the Sprig functions into `funcs`.
pub fn register(funcs: &mut Funcs) {
    crypto::register(funcs);
    dates::register(funcs);
    network::register(funcs);
    random::register(funcs);
    semver::register(funcs);
}
