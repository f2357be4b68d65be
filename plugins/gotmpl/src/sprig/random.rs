//! Sprig functions: random. Registered by [`super::register`].

use crate::funcs::Funcs;

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    let _ = funcs;
}
