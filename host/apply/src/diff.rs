//! Diff rendering: noise removal, Secret masking and unified diffs of YAML.
//!
//! Both sides of a diff are cleaned of `managedFields` and server-generated metadata (`uid`,
//! `resourceVersion`, `generation`, `creationTimestamp`, `selfLink`). Secret values are replaced by a short salted
//! digest of their decoded bytes, so equal values look equal and different values look different without being
//! revealed; the salt is random per run, so the digests cannot be compared across runs.

use std::io::Read;

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Masks Secret values with a salted digest.
#[derive(Debug, Clone)]
pub struct Masker {
    salt: [u8; 16],
}

impl Default for Masker {
    fn default() -> Self {
        Masker::new()
    }
}

impl Masker {
    /// A masker with a random salt (from the OS; falls back to the clock and process id).
    pub fn new() -> Masker {
        let mut salt = [0u8; 16];
        let ok = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut salt)).is_ok();
        if !ok {
            let nanos =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
            let d = Sha256::digest(format!("{nanos}:{}", std::process::id()).as_bytes());
            salt.copy_from_slice(&d[..16]);
        }
        Masker { salt }
    }

    /// A masker with a fixed salt (for tests).
    pub fn with_salt(salt: [u8; 16]) -> Masker {
        Masker { salt }
    }

    /// The mask of one value: `*** (sha256:<12 hex digits>)`.
    pub fn mask(&self, value: &[u8]) -> String {
        let mut h = Sha256::new();
        h.update(self.salt);
        h.update(value);
        let d = h.finalize();
        format!("*** (sha256:{})", &hex::encode(d)[..12])
    }

    /// Masks a Secret in place: `stringData` is folded into `data`, and each `data` value becomes its mask.
    /// Other objects are left alone.
    pub fn mask_object(&self, obj: &mut Value) {
        let is_secret = obj.get("kind").and_then(Value::as_str) == Some("Secret")
            && obj.get("apiVersion").and_then(Value::as_str) == Some("v1");
        if !is_secret {
            return;
        }
        let Some(o) = obj.as_object_mut() else { return };
        let mut plain: Vec<(String, Vec<u8>)> = Vec::new();
        if let Some(Value::Object(data)) = o.get("data") {
            for (k, v) in data {
                let raw = v.as_str().unwrap_or("");
                // Undecodable values are masked as their text.
                let bytes =
                    base64::engine::general_purpose::STANDARD.decode(raw).unwrap_or_else(|_| raw.as_bytes().to_vec());
                plain.push((k.clone(), bytes));
            }
        }
        if let Some(Value::Object(sd)) = o.remove("stringData") {
            for (k, v) in sd {
                let bytes = v.as_str().unwrap_or("").as_bytes().to_vec();
                plain.retain(|(pk, _)| *pk != k);
                plain.push((k, bytes));
            }
        }
        if plain.is_empty() {
            return;
        }
        plain.sort_by(|a, b| a.0.cmp(&b.0));
        let masked: serde_json::Map<String, Value> =
            plain.into_iter().map(|(k, b)| (k, Value::String(self.mask(&b)))).collect();
        o.insert("data".into(), Value::Object(masked));
    }
}

/// Removes `managedFields` and server-generated metadata.
pub fn clean(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(md) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in ["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink"] {
            md.remove(k);
        }
    }
    v
}

/// An object as YAML (keys sorted, the way `kubectl` prints).
pub fn to_yaml(obj: &Value) -> String {
    match serde_json::from_value::<kiln_yaml::Value>(obj.clone()) {
        Ok(y) => kiln_yaml::to_string(&y),
        Err(_) => serde_json::to_string_pretty(obj).unwrap_or_default(),
    }
}

/// A unified diff (3 lines of context) between two texts, with `---`/`+++` headers; empty when equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new).unified_diff().context_radius(3).header(old_name, new_name).to_string()
}

/// The diff between a live object and its planned state (either may be absent), cleaned and masked.
pub fn object_diff(live: Option<&Value>, planned: Option<&Value>, name: &str, masker: &Masker) -> String {
    let render = |v: Option<&Value>| {
        v.map(|v| {
            let mut c = clean(v);
            masker.mask_object(&mut c);
            to_yaml(&c)
        })
        .unwrap_or_default()
    };
    let old = render(live);
    let new = render(planned);
    unified(&old, &new, &format!("live/{name}"), &format!("planned/{name}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_masked_and_equal_values_match() {
        let m = Masker::with_salt([7; 16]);
        let mut a = json!({"apiVersion":"v1","kind":"Secret","data":{"k":"c2VjcmV0","same":"eA=="}});
        let mut b = json!({"apiVersion":"v1","kind":"Secret","stringData":{"k":"other","same":"x"}});
        m.mask_object(&mut a);
        m.mask_object(&mut b);
        let text = format!("{a}{b}");
        assert!(!text.contains("c2VjcmV0") && !text.contains("other") && !text.contains("secret"));
        assert_eq!(a["data"]["same"], b["data"]["same"]);
        assert_ne!(a["data"]["k"], b["data"]["k"]);
        assert!(b.get("stringData").is_none());
    }

    #[test]
    fn diff_strips_noise() {
        let live = json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","uid":"1","resourceVersion":"5",
            "managedFields":[{"manager":"x"}]},"data":{"a":"1"}});
        let planned = json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","uid":"1","resourceVersion":"6"},"data":{"a":"2"}});
        let d = object_diff(Some(&live), Some(&planned), "ConfigMap/c", &Masker::new());
        assert!(d.contains("-  a: \"1\"") && d.contains("+  a: \"2\""), "{d}");
        assert!(!d.contains("managedFields") && !d.contains("resourceVersion"));
        assert_eq!(object_diff(Some(&live), Some(&live), "x", &Masker::new()), "");
    }
}
