//! Go `text/template` in pure Rust, with Sprig and Helm functions.
