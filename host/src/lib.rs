//! kiln library.
