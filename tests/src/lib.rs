//! Shared helpers for kiln end-to-end tests.
