//! Sprig v3 template functions (the `genericMap` Helm uses). Filled in by the Sprig implementation.

use crate::funcs::Funcs;

/// Register the Sprig functions into `funcs`.
pub fn register(funcs: &mut Funcs) {
    let _ = funcs;
}
