//! Resource limits and capability grants for one plugin, with the defaults every plugin gets.

use std::fmt;
use std::time::Duration;

use crate::plugin::engine_config::MAX_WASM_STACK;

/// Default memory cap per instance. Enough for rendering large charts (the biggest real charts stay under 64 MiB of
/// guest heap), small enough that a runaway plugin cannot hurt the host.
pub const DEFAULT_MEMORY: usize = 256 << 20;
/// Default wall-clock budget per call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time limit for a call of the built-in Helm renderer (unless the user sets one): charts may legitimately compute
/// for seconds (each 4096-bit `genPrivateKey` takes about a second of CPU, more on a busy CI machine), and Helm
/// itself has no limit; the limit is there to stop a runaway template, not a slow one.
pub const HELM_RENDER_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on the total bytes a plugin may return from one call.
pub const DEFAULT_OUTPUT: usize = 64 << 20;
/// Default caps on wasm objects per store. A component built by wit-bindgen, componentize-py or componentize-js
/// uses a handful of core instances, memories and tables; these bounds leave room for that and no more.
pub const DEFAULT_INSTANCES: usize = 64;
/// See [`DEFAULT_INSTANCES`].
pub const DEFAULT_TABLES: usize = 64;
/// See [`DEFAULT_INSTANCES`].
pub const DEFAULT_MEMORIES: usize = 8;

/// The limits a plugin runs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of linear memory per instance.
    pub memory: usize,
    /// Wall-clock time per call.
    pub timeout: Duration,
    /// Total bytes of documents returned by one call.
    pub output: usize,
    /// Core instances per store.
    pub instances: usize,
    /// Tables per store.
    pub tables: usize,
    /// Linear memories per store.
    pub memories: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory: DEFAULT_MEMORY,
            timeout: DEFAULT_TIMEOUT,
            output: DEFAULT_OUTPUT,
            instances: DEFAULT_INSTANCES,
            tables: DEFAULT_TABLES,
            memories: DEFAULT_MEMORIES,
        }
    }
}

/// The wasm stack limit, fixed by the engine configuration.
pub const fn stack_limit() -> usize {
    MAX_WASM_STACK
}

/// How a plugin sees randomness (`wasi:random`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Randomness {
    /// A generator seeded with this value: the same inputs give the same outputs.
    Seeded(u64),
    /// Real entropy from the host.
    Real,
}

/// How a plugin sees time (`wasi:clocks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Wall clock fixed at this many seconds after the Unix epoch; the monotonic clock advances 1 µs per reading.
    Fixed(u64),
    /// The host's real clocks.
    Real,
}

/// Capabilities granted to a plugin beyond logging. Filesystem and network access are never granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grants {
    /// Randomness source.
    pub random: Randomness,
    /// Clock source.
    pub clock: Clock,
}

impl Default for Grants {
    /// Deterministic by default: a fixed seed and a fixed clock.
    fn default() -> Self {
        Self { random: Randomness::Seeded(0), clock: Clock::Fixed(0) }
    }
}

/// Limits and grants together: everything the host decides about one plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sandbox {
    /// Resource limits.
    pub limits: Limits,
    /// Capability grants.
    pub grants: Grants,
}

/// A byte size printed with a binary unit (`256 MiB`).
pub struct Bytes(pub usize);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        if b >= 1 << 30 && b.is_multiple_of(1 << 30) {
            write!(f, "{} GiB", b >> 30)
        } else if b >= 1 << 20 && b.is_multiple_of(1 << 20) {
            write!(f, "{} MiB", b >> 20)
        } else if b >= 1 << 10 && b.is_multiple_of(1 << 10) {
            write!(f, "{} KiB", b >> 10)
        } else {
            write!(f, "{b} bytes")
        }
    }
}

/// Parse a size such as `512MiB`, `1GiB`, `64k`, `1000000`.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: usize = num.parse().map_err(|_| format!("`{s}` is not a size (examples: 512MiB, 1GiB, 65536)"))?;
    let mult: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "ki" | "kib" => 1 << 10,
        "m" | "mb" | "mi" | "mib" => 1 << 20,
        "g" | "gb" | "gi" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}` in `{s}` (use KiB, MiB or GiB)")),
    };
    n.checked_mul(mult).ok_or_else(|| format!("size `{s}` is too large"))
}

/// Parse a duration such as `10s`, `500ms`, `2m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("`{s}` is not a duration (examples: 10s, 500ms, 2m)"))?;
    match unit.trim() {
        "ms" => Ok(Duration::from_millis(n)),
        "" | "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n.saturating_mul(60))),
        other => Err(format!("unknown duration unit `{other}` in `{s}` (use ms, s or m)")),
    }
}

/// Parse a seed for `--seed`.
pub fn parse_seed(s: &str) -> Result<u64, String> {
    s.trim().parse().map_err(|_| format!("`{s}` is not a seed (a non-negative integer)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5XB").is_err());
        assert!(parse_size("99999999999999999999GiB").is_err());
        assert_eq!(Bytes(256 << 20).to_string(), "256 MiB");
        assert_eq!(Bytes(1000).to_string(), "1000 bytes");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3h").is_err());
    }
}
