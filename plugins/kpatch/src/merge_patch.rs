//! RFC 7396 (formerly RFC 7386) JSON Merge Patch.
//!
//! A mapping patch merges recursively into a mapping target; `null` members delete; anything else (including
//! sequences) replaces the target wholesale.

use kiln_yaml::{Map, Value};

/// Apply `patch` to `target` as a JSON merge patch.
pub fn apply(target: &mut Value, patch: &Value) {
    let Value::Map(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !matches!(target, Value::Map(_)) {
        *target = Value::Map(Map::new());
    }
    if let Value::Map(t) = target {
        for (k, pv) in patch_map {
            if pv.is_null() {
                t.shift_remove(k);
            } else {
                let slot = t.entry(k.clone()).or_insert(Value::Null);
                apply(slot, pv);
            }
        }
    }
}

/// Apply `patch` to a copy of `target` and return the result.
pub fn merged(target: &Value, patch: &Value) -> Value {
    let mut out = target.clone();
    apply(&mut out, patch);
    out
}
