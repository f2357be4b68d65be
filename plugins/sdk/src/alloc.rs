//! A global allocator for short-lived plugin instances: an arena first, the system allocator after.
//!
//! kiln instantiates a plugin afresh for every call, so its heap lives for one call. Most allocations then never
//! need to be reused: a render of a large chart allocates about 14 MiB in total. [`ArenaThenSystem`] hands out
//! memory from one 32 MiB arena by bumping a pointer (a free of the most recent block gives it back, growing the
//! most recent block is done in place, and freed small blocks go on a free list per size class, from which later
//! blocks of that class are taken first, so that churn of small objects reuses memory the call has already touched
//! instead of faulting in fresh pages; freed large blocks, mostly buffers left behind by growing strings and
//! vectors, go on a free list per power of two of their size and are reused, split when much larger than the
//! request); once the arena is used up, allocations go to
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

/// Drop `v`, except on WebAssembly: there an instance serves one call and its whole memory is discarded afterwards,
/// so freeing large trees (parse trees, values, resources, input files) one allocation at a time is wasted work.
/// Native builds (tests, profiling loops) drop as usual.
pub fn discard<T>(v: T) {
    #[cfg(target_family = "wasm")]
    std::mem::forget(v);
    #[cfg(not(target_family = "wasm"))]
    drop(v);
}

/// Granularity of the small size classes (also their alignment).
const CLASS_BYTES: usize = 16;
/// Number of small size classes: blocks up to `CLASSES * CLASS_BYTES` bytes are rounded up to a class.
const CLASSES: usize = 32;

/// The size class of a block, if it is small and needs no more than the class alignment.
fn class_of(size: usize, align: usize) -> Option<usize> {
    (align <= CLASS_BYTES && size <= CLASSES * CLASS_BYTES).then(|| size.max(1).div_ceil(CLASS_BYTES) - 1)
}

/// The bytes a block of this layout occupies in the arena: small blocks take their whole class.
fn extent(size: usize, align: usize) -> usize {
    class_of(size, align).map_or(size, |c| (c + 1) * CLASS_BYTES)
}

/// Freed blocks larger than the small classes go on a free list per power of two of their size: bucket `b` holds
/// blocks of `2^(b + LARGE_SHIFT)` up to twice that. Large blocks are the buffers of strings and vectors that grew
/// (each growth frees the previous buffer, which a bump arena otherwise never sees again); reusing them roughly
/// halves what a render of a large chart takes from the arena.
const LARGE_SHIFT: u32 = 9;
/// Buckets up to blocks of 2^40 bytes: more than any arena holds.
const LARGE_BUCKETS: usize = 32;
/// How many blocks of the request's own bucket are looked at for one that fits, before a larger bucket is used.
const LARGE_SEARCH: usize = 8;
/// A reused block is split when at least this much of it would be left over; the rest goes back on a free list.
const LARGE_SPLIT: usize = 1024;

/// The free-list bucket of a large block (`size` above the small classes).
fn bucket_of(size: usize) -> usize {
    let log = usize::BITS - 1 - size.leading_zeros();
    (log.saturating_sub(LARGE_SHIFT) as usize).min(LARGE_BUCKETS - 1)
}

/// Whether a block is large and may be served from (and returned to) the large free lists.
fn is_large(size: usize, align: usize) -> bool {
    size > CLASSES * CLASS_BYTES && align <= CLASS_BYTES
}

/// See the module documentation.
pub struct ArenaThenSystem {
    /// First byte of the arena (0: not reserved yet; 1: reserving failed, use the system allocator only).
    start: AtomicUsize,
    /// One past the last byte of the arena.
    end: AtomicUsize,
    /// The next free byte.
    top: AtomicUsize,
    /// Head of each small size class's free list (0: empty); each free block holds the address of the next.
    free: [AtomicUsize; CLASSES],
    /// Head of each large bucket's free list (0: empty); each free block holds the next block's address, then its
    /// own size.
    large: [AtomicUsize; LARGE_BUCKETS],
}

impl ArenaThenSystem {
    /// An allocator whose arena is reserved on first use.
    pub const fn new() -> Self {
        Self {
            start: AtomicUsize::new(0),
            end: AtomicUsize::new(0),
            top: AtomicUsize::new(0),
            free: [const { AtomicUsize::new(0) }; CLASSES],
            large: [const { AtomicUsize::new(0) }; LARGE_BUCKETS],
        }
    }

    fn reserve(&self) {
        match reserve_region(ARENA_BYTES).and_then(|p| Some((p, p.checked_add(ARENA_BYTES)?))) {
            Some((p, end)) => {
                self.start.store(p, Relaxed);
                self.end.store(end, Relaxed);
                self.top.store(p, Relaxed);
            }
            None => {
                self.start.store(1, Relaxed);
                self.end.store(1, Relaxed);
                self.top.store(1, Relaxed);
            }
        }
    }

    /// Bytes of the arena handed out so far (its high-water mark, since a bump arena only gives back its most recent
    /// block): on WebAssembly, about the memory a call has touched beyond its data and stack.
    pub fn arena_used(&self) -> usize {
        self.top.load(Relaxed).saturating_sub(self.start.load(Relaxed))
    }

    /// Put a freed large block (16-aligned, `size` bytes, not at the top) on its bucket's free list.
    fn put_large(&self, p: usize, size: usize) {
        let head = &self.large[bucket_of(size)];
        // SAFETY: the block is ours again, 16-aligned and larger than two words: its first two words hold the
        // link and its size until it is handed out again.
        unsafe {
            (p as *mut usize).write(head.load(Relaxed));
            (p as *mut usize).add(1).write(size);
        }
        head.store(p, Relaxed);
    }

    /// A freed large block of at least `size` bytes, taken off its free list (and split when much larger).
    fn take_large(&self, size: usize) -> Option<usize> {
        let first = bucket_of(size);
        let (p, block) = self.take_fitting(first, size).or_else(|| {
            // Any block of a larger bucket fits: take the first list's head.
            let head = self.large.iter().skip(first + 1).find(|h| h.load(Relaxed) != 0)?;
            let p = head.load(Relaxed);
            // SAFETY: `p` heads a large free list.
            let (next, block) = unsafe { free_block(p) };
            head.store(next, Relaxed);
            Some((p, block))
        })?;
        // Keep what the request does not need, if it is worth a list entry; the split point stays 16-aligned.
        let used = size.checked_next_multiple_of(CLASS_BYTES)?;
        if block >= used.saturating_add(LARGE_SPLIT) {
            self.put_large(p + used, block - used);
        }
        Some(p)
    }

    /// First fit among the first few blocks of bucket `b` (sizes there straddle the request), unlinked from it.
    fn take_fitting(&self, b: usize, size: usize) -> Option<(usize, usize)> {
        let head = &self.large[b];
        let mut prev = 0;
        let mut at = head.load(Relaxed);
        for _ in 0..LARGE_SEARCH {
            if at == 0 {
                return None;
            }
            // SAFETY: `at` is on this large free list.
            let (next, block) = unsafe { free_block(at) };
            if block >= size {
                if prev == 0 {
                    head.store(next, Relaxed);
                } else {
                    // SAFETY: `prev` is the free block before `at` on the same list; its first word links to `at`.
                    unsafe { (prev as *mut usize).write(next) };
                }
                return Some((at, block));
            }
            prev = at;
            at = next;
        }
        None
    }

    fn in_arena(&self, p: usize) -> bool {
        p >= self.start.load(Relaxed) && p < self.end.load(Relaxed)
    }

    /// Take a block from its class's free list, or bump-allocate; `None` when the arena cannot hold the block.
    fn bump(&self, layout: Layout) -> Option<*mut u8> {
        if self.start.load(Relaxed) == 0 {
            self.reserve();
        }
        let class = class_of(layout.size(), layout.align());
        if let Some(c) = class {
            let head = self.free[c].load(Relaxed);
            if head != 0 {
                // SAFETY: `head` is a freed arena block of this class (at least 16 bytes, 16-aligned) whose first
                // word holds the next free block's address, written by `dealloc`.
                let next = unsafe { (head as *const usize).read() };
                self.free[c].store(next, Relaxed);
                return Some(head as *mut u8);
            }
        }
        if is_large(layout.size(), layout.align())
            && let Some(p) = self.take_large(layout.size())
        {
            return Some(p as *mut u8);
        }
        let align = if class.is_some() { CLASS_BYTES } else { layout.align() };
        let top = self.top.load(Relaxed);
        let aligned = top.checked_add(align - 1)? & !(align - 1);
        let new_top = aligned.checked_add(extent(layout.size(), layout.align()))?;
        if new_top > self.end.load(Relaxed) {
            return None;
        }
        self.top.store(new_top, Relaxed);
        Some(aligned as *mut u8)
    }
}

/// The link and the size that [`ArenaThenSystem::put_large`] wrote at the start of a free large block.
///
/// # Safety
/// `p` must be a block on one of the large free lists.
unsafe fn free_block(p: usize) -> (usize, usize) {
    // SAFETY: the caller's contract: the block's first two words are its link and size.
    unsafe { ((p as *const usize).read(), (p as *const usize).add(1).read()) }
}

/// Reserve `bytes` of fresh memory for the arena: its start address, or `None` when the memory cannot grow.
///
/// On WebAssembly the linear memory is grown directly rather than through the system allocator: dlmalloc would write
/// the header of its remaining free space just past the block, touching (and, on the host's huge pages, zeroing) a
/// 2 MiB page at the arena's far end that a render usually never reaches. dlmalloc copes with memory grown by others
/// (its later growth becomes a new segment), and grown memory is zero-filled and 64 KiB aligned.
#[cfg(target_arch = "wasm32")]
fn reserve_region(bytes: usize) -> Option<usize> {
    const WASM_PAGE: usize = 65536;
    let previous = core::arch::wasm32::memory_grow(0, bytes.div_ceil(WASM_PAGE));
    if previous == usize::MAX { None } else { previous.checked_mul(WASM_PAGE) }
}

/// Elsewhere (tests, native profiling) the arena is one block of the system allocator, never freed.
#[cfg(not(target_arch = "wasm32"))]
fn reserve_region(bytes: usize) -> Option<usize> {
    let layout = Layout::from_size_align(bytes, CLASS_BYTES).ok()?;
    // SAFETY: the layout has a non-zero size.
    let p = unsafe { System.alloc(layout) } as usize;
    (p != 0).then_some(p)
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
            if p + extent(layout.size(), layout.align()) == self.top.load(Relaxed) {
                self.top.store(p, Relaxed);
            } else if let Some(c) = class_of(layout.size(), layout.align())
                && p.is_multiple_of(CLASS_BYTES)
            {
                // A block that became small by shrinking may sit at any address; only class-aligned blocks are
                // reused (the others stay unused, as every freed block did before free lists).
                // SAFETY: the block is ours again, at least 16 bytes and 16-aligned: its first word can link it.
                unsafe { (p as *mut usize).write(self.free[c].load(Relaxed)) };
                self.free[c].store(p, Relaxed);
            } else if is_large(layout.size(), layout.align()) && p.is_multiple_of(CLASS_BYTES) {
                self.put_large(p, layout.size());
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
        // The most recent block grows or shrinks in place while the arena has room (a block that moves in or out of
        // the small classes keeps an extent consistent with its new size, so that its free finds it again).
        if p + extent(layout.size(), layout.align()) == self.top.load(Relaxed)
            && let Some(new_top) = p.checked_add(extent(new_size, layout.align()))
            && new_top <= self.end.load(Relaxed)
        {
            self.top.store(new_top, Relaxed);
            return ptr;
        }
        // A shrinking block stays where it is: its extent after the shrink is never larger than before.
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

    /// A layout of `size` bytes aligned to `align` (a power of two in every test).
    fn l(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap_or(Layout::new::<u8>())
    }

    #[test]
    fn bump_reuse_and_fallback() {
        let a = ArenaThenSystem::new();
        let l8 = Layout::from_size_align(8, 8).unwrap_or(Layout::new::<u64>());
        // SAFETY: test of the allocator's own contract.
        unsafe {
            let p1 = a.alloc(l8);
            let p2 = a.alloc(l8);
            assert_eq!(p2 as usize, p1 as usize + CLASS_BYTES, "small blocks take a whole size class");
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

    /// Freed large blocks are reused for requests that fit, split when much larger, and never overlap live ones.
    #[test]
    fn free_lists_reuse_large_blocks() {
        let a = ArenaThenSystem::new();
        // SAFETY: test of the allocator's own contract.
        unsafe {
            let big = a.alloc(l(8000, 8));
            let guard = a.alloc(l(16, 8));
            a.dealloc(big, l(8000, 8));
            // Same bucket, fits: reused, and the 7000-odd bytes left over are split off for later.
            let x = a.alloc(l(700, 8));
            assert_eq!(x, big, "a freed large block is reused");
            let y = a.alloc(l(5000, 8));
            assert_eq!(y as usize, big as usize + 704, "the remainder of a split block is reused, 16-aligned");
            // Too little left to split: the next large request bumps.
            let z = a.alloc(l(3000, 8));
            assert!(z as usize > guard as usize, "nothing free fits, so the arena grows");
            // Alignment above the class alignment never comes from a free list.
            a.dealloc(y, l(5000, 8));
            let aligned = a.alloc(l(1024, 64));
            assert!((aligned as usize).is_multiple_of(64) && aligned as usize > guard as usize);
            a.dealloc(aligned, l(1024, 64));
            a.dealloc(z, l(3000, 8));
            a.dealloc(x, l(700, 8));
            a.dealloc(guard, l(16, 8));
        }
    }

    /// Random allocations, reallocations and frees: every live block keeps its bytes and none overlaps another.
    #[test]
    fn random_churn_keeps_blocks_apart() {
        let a = ArenaThenSystem::new();
        let mut live: Vec<(usize, usize, usize, u8)> = Vec::new(); // (address, size, align, fill byte)
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        // SAFETY: test of the allocator's own contract; every block is used within its size.
        unsafe {
            for step in 0..20_000u32 {
                let r = next();
                let fill = (step % 251) as u8;
                match r % 5 {
                    0 | 1 => {
                        let size = match r >> 8 & 3 {
                            0 => 1 + (r >> 16) as usize % 512,
                            1 => 513 + (r >> 16) as usize % 4000,
                            _ => 1 + (r >> 16) as usize % 40_000,
                        };
                        let align = [1, 8, 16, 64][(r >> 12) as usize % 4];
                        let p = a.alloc(l(size, align));
                        assert!(!p.is_null() && (p as usize).is_multiple_of(align));
                        p.write_bytes(fill, size);
                        live.push((p as usize, size, align, fill));
                    }
                    2 if !live.is_empty() => {
                        let i = (r >> 8) as usize % live.len();
                        let (p, size, align, old_fill) = live.swap_remove(i);
                        let new_size = 1 + (r >> 20) as usize % 20_000;
                        let q = a.realloc(p as *mut u8, l(size, align), new_size);
                        assert!(!q.is_null());
                        let kept = size.min(new_size);
                        assert!((0..kept).all(|k| *q.add(k) == old_fill), "realloc keeps the bytes");
                        q.write_bytes(fill, new_size);
                        live.push((q as usize, new_size, align, fill));
                    }
                    _ if !live.is_empty() => {
                        let i = (r >> 8) as usize % live.len();
                        let (p, size, align, f) = live.swap_remove(i);
                        assert!((0..size).all(|k| *(p as *const u8).add(k) == f), "no other block wrote here");
                        a.dealloc(p as *mut u8, l(size, align));
                    }
                    _ => {}
                }
            }
            for (p, size, _, f) in &live {
                assert!((0..*size).all(|k| *(*p as *const u8).add(k) == *f), "every live block kept its bytes");
            }
        }
    }

    /// Freed small blocks are handed out again for their class, last freed first, and never overlap live ones.
    #[test]
    fn free_lists_reuse_small_blocks() {
        let a = ArenaThenSystem::new();
        // SAFETY: test of the allocator's own contract.
        unsafe {
            let x = a.alloc(l(24, 8));
            let y = a.alloc(l(20, 4));
            let z = a.alloc(l(100, 8));
            assert_eq!(x as usize % CLASS_BYTES, 0);
            assert_eq!(y as usize, x as usize + 32, "24 and 20 bytes both take the 32-byte class");
            a.dealloc(x, l(24, 8));
            a.dealloc(y, l(20, 4));
            assert_eq!(a.alloc(l(32, 16)), y, "the last freed block of the class comes back first");
            assert_eq!(a.alloc(l(17, 1)), x);
            let fresh = a.alloc(l(30, 2));
            assert!(fresh as usize >= z as usize + 112, "an empty class bumps past live blocks");
            // A large block shrunk at an odd address is not put on a free list.
            let odd = a.alloc(l(1001, 1));
            let big = a.alloc(l(1000, 1));
            assert_eq!(big as usize, odd as usize + 1001);
            let spacer = a.alloc(l(1, 1));
            let small = a.realloc(big, l(1000, 1), 10);
            assert_eq!(small, big, "shrinking keeps the block");
            a.dealloc(small, l(10, 1));
            let next = a.alloc(l(10, 1));
            assert_ne!(next, small, "a block off the class alignment is not reused");
            assert!((next as usize).is_multiple_of(CLASS_BYTES));
            a.dealloc(odd, l(1001, 1));
            a.dealloc(spacer, l(1, 1));
        }
    }
}
