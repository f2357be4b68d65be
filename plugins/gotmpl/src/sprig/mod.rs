//! Sprig v3.3.0 template functions (the `genericMap` Helm uses, minus `env` and `expandenv`).
//!
//! One module per family. `register` adds them all; Helm's own functions are registered afterwards by the Helm
//! renderer and override Sprig's where Helm does (`toJson`, `fromJson`, `fail`, …).
//!
//! Every function takes the Go parameter types Sprig declares (so the engine reports Go's argument errors) and
//! returns the Go type Sprig returns (`add` gives `int64`, `until` gives `[]int`, `split` a `map[string]string`).
//! Conversions of `interface{}` arguments follow `spf13/cast` ([`conv`]); errors and panics of the Go functions
//! become call errors with Go's texts. Known deviations, all forced by the value model or the sandbox:
//!
//! * `keys` and `values` return sorted key order where Go's map order is random;
//! * `chunk` returns `[][]interface {}` in Go; the value model has no nested slice type, so `typeOf` says
//!   `[]interface {}`;
//! * byte-slicing string functions (`trunc`, `substr`, `abbrev`, `wrap`) that would cut a UTF-8 sequence produce
//!   U+FFFD where Go would emit the raw partial bytes;
//! * functions whose output Go would try to allocate without bound (`repeat`, `until`, …) fail beyond 64 MiB or
//!   ten million elements instead of exhausting memory, and recursive walks (`merge`, `deepCopy`, `toJson`)
//!   fail on structures nested deeper than the stack allows (Go overflows its stack on cyclic maps).

use crate::funcs::Funcs;

pub mod constraint_grammar;
mod conv;
mod crypto;
mod dates;
mod defaults;
mod dicts;
mod encoding;
pub mod json;
mod lists;
mod math;
mod network;
mod paths;
mod random;
mod reflect;
mod regex;
pub use regex::Regexp;
pub mod semver;
mod strings;
mod unicode;

/// Register the Sprig functions into `funcs`.
pub fn register(funcs: &mut Funcs) {
    strings::register(funcs);
    math::register(funcs);
    defaults::register(funcs);
    lists::register(funcs);
    dicts::register(funcs);
    reflect::register(funcs);
    paths::register(funcs);
    encoding::register(funcs);
    regex::register(funcs);
    crypto::register(funcs);
    dates::register(funcs);
    network::register(funcs);
    random::register(funcs);
    semver::register(funcs);
}
