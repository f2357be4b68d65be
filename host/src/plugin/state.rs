//! Per-call store state: the sandboxed WASI context, resource limits and the logging import.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::SeedableRng as _;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

use super::bindings::Level;
use super::bindings::post::kiln::plugin::log;
use super::limits::{Clock, Limits, Randomness, Sandbox};

/// Longest single log message kept; longer ones are truncated.
const MAX_LOG_MESSAGE: usize = 64 << 10;
/// Log records accepted per call; later ones are dropped (with one warning) so a chatty plugin cannot flood the
/// terminal or slow the host.
const MAX_LOG_RECORDS: u32 = 10_000;
/// Bytes of guest stdout/stderr kept for error reports.
pub const STDIO_CAPTURE: usize = 64 << 10;

/// What a limit violation looked like, recorded by the limiter so the host can name it after the trap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitHit {
    /// A memory grew beyond the limit (requested bytes).
    Memory(usize),
    /// A table grew beyond the element limit.
    TableElements(usize),
}

/// The error a limiter returns to stop the guest; downcast after the call to report which limit was hit.
#[derive(Debug, thiserror::Error)]
#[error("plugin exceeded a resource limit")]
pub struct LimitExceeded;

/// Enforces [`Limits`] and remembers the first violation.
pub struct Limiter {
    limits: Limits,
    /// The first limit that was hit, if any.
    pub hit: Option<LimitHit>,
}

/// Largest table a plugin may grow (elements). Tables hold function references; real components stay far below.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

impl wasmtime::ResourceLimiter for Limiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.limits.memory {
            self.hit.get_or_insert(LimitHit::Memory(desired));
            return Err(LimitExceeded.into());
        }
        Ok(true)
    }
    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > MAX_TABLE_ELEMENTS {
            self.hit.get_or_insert(LimitHit::TableElements(desired));
            return Err(LimitExceeded.into());
        }
        Ok(true)
    }
    fn instances(&self) -> usize {
        self.limits.instances
    }
    fn tables(&self) -> usize {
        self.limits.tables
    }
    fn memories(&self) -> usize {
        self.limits.memories
    }
}

/// Everything a store holds for one plugin call.
pub struct State {
    /// The plugin's name, for log records.
    pub plugin: Arc<str>,
    wasi: WasiCtx,
    table: ResourceTable,
    /// Resource limiter.
    pub limiter: Limiter,
    log_records: u32,
    /// Captured guest stderr (panic messages land here).
    pub stderr: MemoryOutputPipe,
}

impl State {
    /// A fresh, sandboxed state: no arguments, no environment, no preopened directories, no network, empty stdin,
    /// stdout discarded, stderr captured, clocks and randomness as granted.
    pub fn new(plugin: Arc<str>, sandbox: &Sandbox) -> Self {
        let stderr = MemoryOutputPipe::new(STDIO_CAPTURE);
        let mut b = WasiCtx::builder();
        b.stderr(stderr.clone()).allow_tcp(false).allow_udp(false).allow_ip_name_lookup(false);
        match sandbox.grants.random {
            Randomness::Seeded(seed) => {
                b.secure_random(rand::rngs::StdRng::seed_from_u64(seed));
                b.insecure_random(rand::rngs::StdRng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15));
                b.insecure_random_seed(u128::from(seed));
            }
            Randomness::Real => {}
        }
        if let Clock::Fixed(secs) = sandbox.grants.clock {
            b.wall_clock(FixedWallClock(Duration::from_secs(secs)));
            b.monotonic_clock(SteppingMonotonicClock(AtomicU64::new(0)));
        }
        Self {
            plugin,
            wasi: b.build(),
            table: ResourceTable::new(),
            limiter: Limiter { limits: sandbox.limits.clone(), hit: None },
            log_records: 0,
            stderr,
        }
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl log::Host for State {
    fn log(&mut self, level: Level, message: String) {
        self.log_records = self.log_records.saturating_add(1);
        if self.log_records > MAX_LOG_RECORDS {
            if self.log_records == MAX_LOG_RECORDS + 1 {
                tracing::warn!(plugin = %self.plugin, "plugin logged more than {MAX_LOG_RECORDS} records in one call; dropping the rest");
            }
            return;
        }
        let mut msg = message;
        if msg.len() > MAX_LOG_MESSAGE {
            let mut cut = MAX_LOG_MESSAGE;
            while !msg.is_char_boundary(cut) {
                cut -= 1;
            }
            msg.truncate(cut);
            msg.push_str(" … (truncated)");
        }
        let plugin = &*self.plugin;
        match level {
            Level::Trace => tracing::trace!(target: "kiln::plugin", plugin, "{msg}"),
            Level::Debug => tracing::debug!(target: "kiln::plugin", plugin, "{msg}"),
            Level::Info => tracing::info!(target: "kiln::plugin", plugin, "{msg}"),
            Level::Warn => tracing::warn!(target: "kiln::plugin", plugin, "{msg}"),
            Level::Error => tracing::error!(target: "kiln::plugin", plugin, "{msg}"),
        }
    }
}

/// A wall clock stuck at one instant.
struct FixedWallClock(Duration);

impl HostWallClock for FixedWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        self.0
    }
}

/// A monotonic clock that advances one microsecond per reading: deterministic, yet loops that wait for time to
/// pass still terminate.
struct SteppingMonotonicClock(AtomicU64);

impl HostMonotonicClock for SteppingMonotonicClock {
    fn resolution(&self) -> u64 {
        1_000
    }
    fn now(&self) -> u64 {
        self.0.fetch_add(1_000, Ordering::Relaxed)
    }
}
