//! A global allocator for short-lived plugin instances: an arena first, the system allocator after.
//!
//! kiln instantiates a plugin afresh for every call, so its heap lives for one call. Most allocations then never
//! need to be reused: a render of a large chart allocates about 14 MiB in total. [`ArenaThenSystem`] hands out
//! memory from one 32 MiB arena by bumping a pointer (a free of the most recent block gives it back, other frees
//! are no-ops, and growing the most recent block is done in place); once the arena is used up, allocations go to
//! the system allocator (dlmalloc on WASI), which reuses freed memory, so a call that allocates far more than the
//! arena still runs in bounded memory. The arena is reserved lazily, on the first allocation.
//!
//! Use it from a plugin crate, on WebAssembly only:
//!
//! ```ignore
//! #[cfg(target_arch = "wasm32")]
//! #[global_allocator]
//! static ALLOC: kiln_plugin_sdk::alloc::ArenaThenSystem = kiln_plugin_sdk::alloc::ArenaThenSystem::new();
//! ```
//!
//! It is not meant for multi-threaded programs: plugins are single-threaded (the state uses relaxed atomics,
//! which compile to plain loads and stores on WebAssembly without threads).

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Size of the arena.
pub const ARENA_BYTES: usize = 32 << 20;

/// See the module documentation.
pub struct ArenaThenSystem {
    /// First byte of the arena (0: not reserved yet; 1: reserving failed, use the system allocator only).
    start: AtomicUsize,
    /// One past the last byte of the arena.
    end: AtomicUsize,
    /// The next free byte.
    top: AtomicUsize,
}

impl ArenaThenSystem {
    /// An allocator whose arena is reserved on first use.
    pub const fn new() -> Self {
        Self { start: AtomicUsize::new(0), end: AtomicUsize::new(0), top: AtomicUsize::new(0) }
    }

    fn reserve(&self) {
        let layout = Layout::from_size_align(ARENA_BYTES, 16).ok();
        // SAFETY: the layout has a non-zero size.
        let p = layout.map(|l| unsafe { System.alloc(l) }).unwrap_or(std::ptr::null_mut()) as usize;
        if p == 0 {
            self.start.store(1, Relaxed);
            self.end.store(1, Relaxed);
            self.top.store(1, Relaxed);
        } else {
            self.start.store(p, Relaxed);
            self.end.store(p + ARENA_BYTES, Relaxed);
            self.top.store(p, Relaxed);
        }
    }

    fn in_arena(&self, p: usize) -> bool {
        p >= self.start.load(Relaxed) && p < self.end.load(Relaxed)
    }

    /// Bump-allocate, or `None` when the arena cannot hold the block.
    fn bump(&self, layout: Layout) -> Option<*mut u8> {
        if self.start.load(Relaxed) == 0 {
            self.reserve();
        }
        let top = self.top.load(Relaxed);
        let aligned = top.checked_add(layout.align() - 1)? & !(layout.align() - 1);
        let new_top = aligned.checked_add(layout.size())?;
        if new_top > self.end.load(Relaxed) {
            return None;
        }
        self.top.store(new_top, Relaxed);
        Some(aligned as *mut u8)
    }
}

impl Default for ArenaThenSystem {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every block handed out is either a fresh, suitably aligned range of the arena that no other live block
// overlaps (the bump pointer only moves back over the most recent block when that block is freed or shrunk), or
// comes from the system allocator, to which it is returned; the two are told apart by address.
unsafe impl GlobalAlloc for ArenaThenSystem {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.bump(layout) {
            Some(p) => p,
            // SAFETY: the caller's contract (non-zero size) carries over.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let p = ptr as usize;
        if self.in_arena(p) {
            if p + layout.size() == self.top.load(Relaxed) {
                self.top.store(p, Relaxed);
            }
        } else {
            // SAFETY: not an arena address, so it came from `System` with this layout.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = ptr as usize;
        if !self.in_arena(p) {
            // SAFETY: not an arena address, so it came from `System` with this layout.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // The most recent block grows or shrinks in place while the arena has room.
        if p + layout.size() == self.top.load(Relaxed)
            && let Some(new_top) = p.checked_add(new_size)
            && new_top <= self.end.load(Relaxed)
        {
            self.top.store(new_top, Relaxed);
            return ptr;
        }
        if new_size <= layout.size() {
            return ptr;
        }
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else { return std::ptr::null_mut() };
        // SAFETY: `new_layout` has a non-zero size (it is larger than the old one).
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are valid for `layout.size()` bytes and do not overlap (the new one is fresh).
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size());
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bump_reuse_and_fallback() {
        let a = ArenaThenSystem::new();
        let l8 = Layout::from_size_align(8, 8).unwrap_or(Layout::new::<u64>());
        // SAFETY: test of the allocator's own contract.
        unsafe {
            let p1 = a.alloc(l8);
            let p2 = a.alloc(l8);
            assert_eq!(p2 as usize, p1 as usize + 8);
            a.dealloc(p2, l8);
            assert_eq!(a.alloc(l8), p2, "the most recent block is given back");
            // Growing the most recent block happens in place.
            let g = a.realloc(p2, l8, 64);
            assert_eq!(g, p2);
            g.write_bytes(7, 64);
            // Growing an older block moves it and keeps its bytes.
            p1.write_bytes(9, 8);
            let m = a.realloc(p1, l8, 16);
            assert_ne!(m, p1);
            assert_eq!(*m, 9);
            // A block larger than the arena comes from the system allocator and goes back there.
            let big = Layout::from_size_align(ARENA_BYTES + 1, 8).unwrap_or(l8);
            let b = a.alloc(big);
            assert!(!b.is_null() && !a.in_arena(b as usize));
            a.dealloc(b, big);
            a.dealloc(m, Layout::from_size_align(16, 8).unwrap_or(l8));
            a.dealloc(g, Layout::from_size_align(64, 8).unwrap_or(l8));
        }
    }
}
