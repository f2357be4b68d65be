//! Plugins embedded in the kiln binary by `build.rs`.

/// One embedded plugin.
#[derive(Debug)]
pub struct Builtin {
    /// Name used on the command line (`--plugin patch`).
    pub name: &'static str,
    /// WIT world it implements.
    pub world: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// The component.
    pub wasm: &'static [u8],
    /// Lowercase hex sha256 of `wasm`, computed at build time (hashing the Helm renderer costs milliseconds).
    pub sha256: &'static str,
    /// The component precompiled at build time by `tools/precompile`, unless the build skipped that.
    pub precompiled: Option<&'static [u8]>,
    /// Lowercase hex sha256 of `precompiled` (empty without it), computed at build time.
    pub precompiled_sha256: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/builtins.rs"));

/// The built-in named `name`.
pub fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// Names of every built-in.
pub fn names() -> Vec<&'static str> {
    BUILTINS.iter().map(|b| b.name).collect()
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    #[test]
    fn embedded_digests_match_the_embedded_components() {
        for b in super::BUILTINS {
            assert_eq!(hex::encode(Sha256::digest(b.wasm)), b.sha256, "built-in {}", b.name);
            let pre = b.precompiled.map(|p| hex::encode(Sha256::digest(p))).unwrap_or_default();
            assert_eq!(pre, b.precompiled_sha256, "built-in {}", b.name);
        }
    }
}
