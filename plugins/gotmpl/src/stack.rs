//! A guard against overflowing the Rust stack.
//!
//! Go grows goroutine stacks on demand, so deeply nested templates only hit Go's own limits (10000 nested
//! parentheses, 100000 nested template calls). This port recurses on a fixed-size stack (1 MiB by default on wasm),
//! so parsing and execution also measure how much stack they have used since they started, and stop with an error
//! before reaching the configured budget ([`crate::Options::max_stack`]).

/// An address inside the current stack frame, for measuring stack growth.
#[inline(never)]
pub(crate) fn position() -> usize {
    let marker = 0u8;
    std::hint::black_box(std::ptr::addr_of!(marker)) as usize
}

/// The default stack budget: half of the 1 MiB stack wasm modules get by default, 1 MiB elsewhere.
pub(crate) const DEFAULT_MAX_STACK: usize = if cfg!(target_family = "wasm") { 512 * 1024 } else { 1024 * 1024 };

/// The stack budget of the recursive value helpers (printing, comparing and converting nested values), which only
/// reach it with a map that contains itself.
pub(crate) const VALUE_RECURSION_BUDGET: usize = 256 * 1024;

/// Bytes of stack used since `base` was taken.
pub(crate) fn used_since(base: usize) -> usize {
    position().abs_diff(base)
}
