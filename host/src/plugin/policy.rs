//! What a plugin may import, and which kiln world it implements, decided from its component type at load time.
//!
//! Every import is checked against an allowlist before the plugin is ever instantiated:
//!
//! | import | verdict |
//! |---|---|
//! | `kiln:plugin/{types,log}@0.1.x` | allowed: the contract itself |
//! | `wasi:io/*`, `wasi:cli/*`, `wasi:clocks/*`, `wasi:random/*` (0.2.x) | allowed, sandboxed: no environment, no arguments, empty stdin, captured stdout/stderr, deterministic clocks and randomness unless granted |
//! | `wasi:filesystem/types` (0.2.x) | allowed: without preopened directories it gives access to nothing |
//! | `wasi:filesystem/preopens` | refused: plugins get no filesystem |
//! | `wasi:sockets/*`, `wasi:http/*` | refused: plugins get no network |
//! | anything else | refused: kiln does not provide it |

use std::fmt;

/// The major version line of the contract this kiln implements.
pub const CONTRACT_VERSION: &str = "0.1.0";

/// The kiln world a component implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum World {
    /// `kiln:plugin/post-renderer`: documents in, documents out.
    PostRenderer,
    /// `kiln:plugin/renderer`: source files and values in, documents out.
    Renderer,
}

impl World {
    /// The world's WIT name.
    pub fn wit_name(self) -> &'static str {
        match self {
            World::PostRenderer => "post-renderer",
            World::Renderer => "renderer",
        }
    }
    /// The interface the world exports.
    pub fn export_interface(self) -> &'static str {
        match self {
            World::PostRenderer => "post-render",
            World::Renderer => "render",
        }
    }
}

impl fmt::Display for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "kiln:plugin/{}", self.wit_name())
    }
}

/// A parsed component import or export name: `namespace:package/interface@version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemName<'a> {
    /// `kiln`, `wasi`, …
    pub namespace: &'a str,
    /// `plugin`, `cli`, …
    pub package: &'a str,
    /// `log`, `environment`, …
    pub interface: &'a str,
    /// `0.1.0`, when present.
    pub version: Option<&'a str>,
}

/// Parse `ns:pkg/iface@ver`; plain names (world-level functions) give `None`.
pub fn parse_item_name(name: &str) -> Option<ItemName<'_>> {
    let (path, version) = match name.split_once('@') {
        Some((p, v)) => (p, Some(v)),
        None => (name, None),
    };
    let (ns_pkg, interface) = path.split_once('/')?;
    let (namespace, package) = ns_pkg.split_once(':')?;
    Some(ItemName { namespace, package, interface, version })
}

/// True when `version` is semver-compatible with `base` in the sense the component model uses: same major, and for
/// 0.x the same minor.
pub fn compatible(version: &str, base: &str) -> bool {
    let parse = |v: &str| -> Option<(u64, u64, u64)> {
        let core = v.split(['-', '+']).next()?;
        let mut it = core.split('.');
        let a = it.next()?.parse().ok()?;
        let b = it.next()?.parse().ok()?;
        let c = it.next()?.parse().ok()?;
        Some((a, b, c))
    };
    match (parse(version), parse(base)) {
        (Some((ma, mi, _)), Some((mb, nb, _))) => ma == mb && (ma != 0 || mi == nb),
        _ => false,
    }
}

/// Why an import is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The import as the component names it.
    pub import: String,
    /// Why it is refused, for the user.
    pub reason: String,
}

/// Check one import against the allowlist.
pub fn check_import(name: &str) -> Result<(), Refusal> {
    let refuse = |reason: &str| Err(Refusal { import: name.to_owned(), reason: reason.to_owned() });
    let Some(item) = parse_item_name(name) else {
        return refuse(
            "kiln provides no world-level functions; plugins may import only kiln:plugin/log and sandboxed WASI interfaces",
        );
    };
    match (item.namespace, item.package) {
        ("kiln", "plugin") => {
            let Some(v) = item.version else { return refuse("the kiln contract must be imported with a version") };
            if !compatible(v, CONTRACT_VERSION) {
                return Err(Refusal {
                    import: name.to_owned(),
                    reason: format!(
                        "this kiln implements kiln:plugin@{CONTRACT_VERSION}; the plugin was built for {v}"
                    ),
                });
            }
            match item.interface {
                "types" | "log" => Ok(()),
                _ => refuse("kiln:plugin provides only the `types` and `log` interfaces to import"),
            }
        }
        ("wasi", pkg) => {
            let version_ok = item.version.is_some_and(|v| compatible(v, "0.2.0"));
            if !version_ok {
                return refuse("kiln provides WASI 0.2 (preview 2) interfaces only");
            }
            match (pkg, item.interface) {
                ("io" | "cli" | "clocks" | "random", _) => Ok(()),
                ("filesystem", "types") => Ok(()),
                ("filesystem", _) => refuse("plugins get no filesystem access: everything a plugin needs is passed in"),
                ("sockets" | "http", _) => refuse("plugins get no network access: kiln fetches sources itself"),
                _ => refuse("kiln does not provide this WASI interface to plugins"),
            }
        }
        _ => refuse("kiln does not provide this interface to plugins"),
    }
}

/// Decide the world from a component's export names.
pub fn world_from_exports<'a>(exports: impl IntoIterator<Item = &'a str>) -> Result<(World, String), String> {
    let mut seen = Vec::new();
    let mut incompatible = None;
    for name in exports {
        seen.push(name.to_owned());
        let Some(item) = parse_item_name(name) else { continue };
        if (item.namespace, item.package) != ("kiln", "plugin") {
            continue;
        }
        let world = match item.interface {
            "post-render" => World::PostRenderer,
            "render" => World::Renderer,
            _ => continue,
        };
        let version = item.version.unwrap_or("");
        if compatible(version, CONTRACT_VERSION) {
            return Ok((world, version.to_owned()));
        }
        incompatible = Some(format!(
            "it implements {world}@{version}, but this kiln implements kiln:plugin@{CONTRACT_VERSION} \
             (compatible versions: 0.1.x); rebuild the plugin against kiln's WIT or use a matching kiln"
        ));
    }
    if let Some(msg) = incompatible {
        return Err(msg);
    }
    let list = if seen.is_empty() { "nothing".to_owned() } else { seen.join(", ") };
    Err(format!(
        "it is not a kiln plugin: it exports {list}, but a plugin must export kiln:plugin/post-render@{CONTRACT_VERSION} \
         (world post-renderer) or kiln:plugin/render@{CONTRACT_VERSION} (world renderer)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlist() {
        assert!(check_import("kiln:plugin/log@0.1.0").is_ok());
        assert!(check_import("kiln:plugin/types@0.1.3").is_ok());
        assert!(check_import("wasi:cli/environment@0.2.6").is_ok());
        assert!(check_import("wasi:io/streams@0.2.12").is_ok());
        assert!(check_import("wasi:random/random@0.2.0").is_ok());
        assert!(check_import("wasi:filesystem/types@0.2.0").is_ok());
        for bad in [
            "wasi:filesystem/preopens@0.2.0",
            "wasi:sockets/tcp@0.2.0",
            "wasi:http/outgoing-handler@0.2.0",
            "kiln:plugin/log@0.2.0",
            "kiln:plugin/secrets@0.1.0",
            "evil:backdoor/open@1.0.0",
            "wasi:cli/environment@0.3.0",
            "some-function",
        ] {
            let r = check_import(bad).expect_err(bad);
            assert_eq!(r.import, bad);
            assert!(!r.reason.is_empty());
        }
    }

    #[test]
    fn worlds() {
        assert_eq!(
            world_from_exports(["kiln:plugin/post-render@0.1.0"]),
            Ok((World::PostRenderer, "0.1.0".to_owned()))
        );
        assert_eq!(world_from_exports(["kiln:plugin/render@0.1.2"]), Ok((World::Renderer, "0.1.2".to_owned())));
        let e = world_from_exports(["kiln:plugin/post-render@0.2.0"]).expect_err("incompatible");
        assert!(e.contains("0.2.0") && e.contains("0.1.0"), "{e}");
        let e = world_from_exports(["wasi:cli/run@0.2.0"]).expect_err("wrong world");
        assert!(e.contains("wasi:cli/run@0.2.0"), "{e}");
    }

    #[test]
    fn semver() {
        assert!(compatible("0.1.5", "0.1.0"));
        assert!(!compatible("0.2.0", "0.1.0"));
        assert!(compatible("1.4.0", "1.0.0"));
        assert!(!compatible("2.0.0", "1.0.0"));
        assert!(!compatible("garbage", "0.1.0"));
    }
}
