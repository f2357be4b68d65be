//! Render one chart directory natively N times, for profiling the renderer without the sandbox:
//!
//! ```text
//! cargo run --release -p kiln-plugin-helm --example render_loop -- CHART_DIR [N]
//! perf record -g target/release/examples/render_loop CHART_DIR 50
//! ```
//! Prints the bytes one render allocates, how much of the plugin's arena allocator it takes (the allocator the
//! WebAssembly build uses; on a 64-bit host pointers are twice as wide, so the figure is larger than in the plugin)
//! and the mean time per render. Default values, release `rel` in namespace `ns1`.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Counts bytes allocated, to show what a render allocates in total, and allocates from the plugins' arena.
struct Counting;
static ARENA: kiln_plugin_sdk::alloc::ArenaThenSystem = kiln_plugin_sdk::alloc::ArenaThenSystem::new();
static ALLOCATED: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size() as u64, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { ARENA.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { ARENA.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATED.fetch_add(new_size as u64, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { ARENA.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

use kiln_plugin_helm::{ReleaseInfo, RenderOptions, RenderRequest, read_chart_path, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let chart = args.next().ok_or("usage: render_loop CHART_DIR [N]")?;
    let n: u32 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(20);
    let files = read_chart_path(std::path::Path::new(&chart))?;
    let request = RenderRequest {
        files,
        values: Default::default(),
        release: ReleaseInfo { name: "rel".into(), namespace: "ns1".into(), revision: 1, is_upgrade: false },
        kube_version: None,
        api_versions: Vec::new(),
        options: RenderOptions::default(),
    };
    let before = ALLOCATED.load(Ordering::Relaxed);
    let arena_before = ARENA.arena_used();
    kiln_plugin_sdk::alloc::discard(render(&request)?);
    let per_render = ALLOCATED.load(Ordering::Relaxed) - before;
    let arena = ARENA.arena_used() - arena_before;
    println!("{:.1} MiB allocated by one render (sum of allocation sizes)", per_render as f64 / 1048576.0);
    println!("{:.2} MiB of the arena taken by one render", arena as f64 / 1048576.0);
    let started = Instant::now();
    let mut docs = 0;
    for _ in 0..n {
        docs = render(&request)?.len();
    }
    let per = started.elapsed() / n.max(1);
    println!("{docs} documents, {per:?} per render (mean of {n})");
    Ok(())
}
