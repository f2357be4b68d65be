//! Plugin linear memories backed by transparent huge pages where the kernel offers them.
//!
//! A Helm render touches 10–40 MiB of fresh guest memory. With 4 KiB pages every first touch is a page fault:
//! about 4,000 of them for a chart with a large schema, a fifth of the whole run inside a VM. This creator reserves
//! each memory exactly as wasmtime's default allocator does (the whole reservation plus its guard region,
//! inaccessible, so compiled code keeps eliding bounds checks), makes the accessible prefix readable and writable as
//! the memory grows, and advises the reservation as `MADV_HUGEPAGE`, so that the kernel may back it with 2 MiB
//! pages. Where the advice is refused (a kernel without transparent huge pages) the memory works as before.
//!
//! wasmtime's copy-on-write memory images need its own mappings, so the runtime turns them off when it installs
//! this creator: data segments are copied in at instantiation instead (a few hundred KiB for the built-ins).

use std::ffi::c_void;

use rustix::mm::{Advice, MapFlags, MprotectFlags, ProtFlags};
use wasmtime::{LinearMemory, MemoryCreator, MemoryType};

/// Huge page size on x86-64 and aarch64 (4 KiB base pages): reservations start on this boundary.
const HUGE_PAGE: usize = 2 << 20;
/// Host page granularity for protection changes.
const PAGE: usize = 4096;

/// Creates [`HugePageMemory`] for every linear memory of the engine it is installed in.
pub(crate) struct HugePageMemoryCreator;

// SAFETY: every memory returned is zero-filled (fresh anonymous mapping), its base never moves (the whole
// reservation is mapped up front), `reserved_size_in_bytes` plus `guard_size_in_bytes` bytes are mapped and only the
// accessible prefix is readable or writable, as the trait requires.
#[allow(unsafe_code)]
unsafe impl MemoryCreator for HugePageMemoryCreator {
    fn new_memory(
        &self,
        _ty: MemoryType,
        minimum: usize,
        maximum: Option<usize>,
        reserved_size_in_bytes: Option<usize>,
        guard_size_in_bytes: usize,
    ) -> Result<Box<dyn LinearMemory>, String> {
        let capacity = reserved_size_in_bytes
            .or(maximum)
            .ok_or_else(|| "a linear memory with neither a maximum size nor a reservation".to_owned())?;
        if minimum > capacity {
            return Err(format!("linear memory minimum {minimum} exceeds its reservation {capacity}"));
        }
        let total = capacity
            .checked_add(guard_size_in_bytes)
            .and_then(|n| n.checked_add(HUGE_PAGE))
            .ok_or_else(|| "linear memory reservation overflows the address space".to_owned())?;
        // SAFETY: a fresh private anonymous mapping with no access; nothing else refers to it.
        let raw = unsafe {
            rustix::mm::mmap_anonymous(
                std::ptr::null_mut(),
                total,
                ProtFlags::empty(),
                MapFlags::PRIVATE | MapFlags::NORESERVE,
            )
        }
        .map_err(|e| format!("reserving {total} bytes for a linear memory: {e}"))?;
        let offset = (raw as usize).next_multiple_of(HUGE_PAGE) - raw as usize;
        // SAFETY: `offset < HUGE_PAGE` and the mapping is `capacity + guard + HUGE_PAGE` bytes long.
        let base = unsafe { raw.cast::<u8>().add(offset) };
        // Only advice: a kernel without transparent huge pages refuses it and the memory uses base pages.
        // SAFETY: the range lies inside the mapping made above.
        let advised = unsafe { rustix::mm::madvise(base.cast(), capacity, Advice::LinuxHugepage) };
        if let Err(e) = advised {
            tracing::trace!(error = %e, "huge pages not available for plugin memory");
        }
        let mut memory = HugePageMemory { raw, total, base, size: 0, accessible: 0, capacity };
        memory.grow_to(minimum).map_err(|e| format!("{e:#}"))?;
        Ok(Box::new(memory))
    }
}

/// One linear memory: a fixed reservation whose first `accessible` bytes are readable and writable.
struct HugePageMemory {
    /// The whole mapping, for `munmap`.
    raw: *mut c_void,
    total: usize,
    /// Start of the memory (huge-page aligned, inside the mapping).
    base: *mut u8,
    /// Size in bytes as wasm sees it.
    size: usize,
    /// Bytes made readable and writable (`size` rounded up to the host page).
    accessible: usize,
    /// Bytes reserved: the most the memory can grow to.
    capacity: usize,
}

// SAFETY: the mapping is owned by this value alone; wasmtime synchronises access to the memory's contents.
#[allow(unsafe_code)]
unsafe impl Send for HugePageMemory {}
// SAFETY: as above; `&self` methods only read plain fields.
#[allow(unsafe_code)]
unsafe impl Sync for HugePageMemory {}

// SAFETY: `as_ptr` is fixed for the memory's life, the first `byte_size()` bytes are readable and writable, and
// `grow_to` never moves the base.
#[allow(unsafe_code)]
unsafe impl LinearMemory for HugePageMemory {
    fn byte_size(&self) -> usize {
        self.size
    }

    fn byte_capacity(&self) -> usize {
        self.capacity
    }

    fn grow_to(&mut self, new_size: usize) -> wasmtime::Result<()> {
        if new_size > self.capacity {
            wasmtime::bail!("linear memory cannot grow to {new_size} bytes: its reservation is {}", self.capacity);
        }
        let want = new_size.next_multiple_of(PAGE).min(self.capacity);
        if want > self.accessible {
            // SAFETY: `[accessible, want)` lies inside the reservation (`want <= capacity`), which is mapped.
            unsafe {
                rustix::mm::mprotect(
                    self.base.add(self.accessible).cast(),
                    want - self.accessible,
                    MprotectFlags::READ | MprotectFlags::WRITE,
                )
            }?;
            self.accessible = want;
        }
        self.size = self.size.max(new_size);
        Ok(())
    }

    fn as_ptr(&self) -> *mut u8 {
        self.base
    }
}

impl Drop for HugePageMemory {
    fn drop(&mut self) {
        // SAFETY: `raw`/`total` is exactly the mapping made in `new_memory`, unmapped once, here.
        #[allow(unsafe_code)]
        let unmapped = unsafe { rustix::mm::munmap(self.raw, self.total) };
        if let Err(e) = unmapped {
            tracing::warn!(error = %e, "unmapping a plugin memory failed");
        }
    }
}
