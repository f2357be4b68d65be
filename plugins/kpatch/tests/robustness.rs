//! Deterministic robustness checks in the spirit of property tests (a seeded generator, no extra dependencies):
//! random objects and patches never make the engines panic, an empty strategic merge patch is the identity on
//! normalised objects, and JSON patches are atomic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kiln_yaml::{Map, Value};
use kpatch::json_patch::JsonPatch;
use kpatch::smp::{self, Schemas};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const KEYS: &[&str] = &[
    "name",
    "image",
    "containers",
    "initContainers",
    "env",
    "value",
    "ports",
    "containerPort",
    "protocol",
    "volumes",
    "volumeMounts",
    "mountPath",
    "finalizers",
    "labels",
    "$patch",
    "args",
    "tolerations",
    "spec",
    "template",
    "metadata",
    "$retainKeys",
    "$setElementOrder/containers",
    "$deleteFromPrimitiveList/finalizers",
    "apiVersion",
    "kind",
    "uid",
    "ownerReferences",
];
const STRINGS: &[&str] =
    &["a", "b", "c", "delete", "replace", "merge", "TCP", "UDP", "", "apps/v1", "Deployment", "v1"];

fn value(r: &mut Rng, depth: usize) -> Value {
    match if depth == 0 { r.below(5) } else { r.below(8) } {
        0 => Value::Null,
        1 => Value::Bool(r.below(2) == 0),
        2 => Value::Int(r.below(100) as i64 - 10),
        3 | 4 => Value::String(r.pick(STRINGS).to_owned()),
        5 => Value::Seq((0..r.below(4)).map(|_| value(r, depth - 1)).collect()),
        _ => {
            let mut m = Map::new();
            for _ in 0..r.below(5) {
                m.insert(r.pick(KEYS).to_owned(), value(r, depth - 1));
            }
            Value::Map(m)
        }
    }
}

fn keyed_list(r: &mut Rng, key: &str, extra: &[&str]) -> Value {
    let mut items = Vec::new();
    for _ in 0..r.below(4) {
        let mut m = Map::new();
        if r.below(8) > 0 {
            m.insert(key.to_owned(), Value::String(r.pick(&["a", "b", "c", "d"]).to_owned()));
        }
        for _ in 0..if extra.is_empty() { 0 } else { r.below(3) } {
            let k = r.pick(extra);
            let v = value(r, 2);
            m.insert(k.to_owned(), v);
        }
        items.push(Value::Map(m));
    }
    Value::Seq(items)
}

fn pod_spec(r: &mut Rng) -> Value {
    let mut pod = Map::new();
    let mut containers = keyed_list(r, "name", &["image", "args", "$patch", "resources"]);
    if let Value::Seq(cs) = &mut containers {
        for c in cs.iter_mut() {
            if let Value::Map(m) = c {
                if r.below(2) == 0 {
                    m.insert("env".into(), keyed_list(r, "name", &["value", "$patch", "valueFrom"]));
                }
                if r.below(3) == 0 {
                    let mut ports = keyed_list(r, "name", &["protocol", "$patch"]);
                    if let Value::Seq(ps) = &mut ports {
                        for p in ps.iter_mut() {
                            if let Value::Map(pm) = p {
                                pm.insert("containerPort".into(), Value::Int(r.below(3) as i64 + 80));
                            }
                        }
                    }
                    m.insert("ports".into(), ports);
                }
            }
        }
    }
    pod.insert("containers".into(), containers);
    if r.below(2) == 0 {
        pod.insert("volumes".into(), keyed_list(r, "name", &["emptyDir", "$patch", "configMap"]));
    }
    if r.below(4) == 0 {
        pod.insert("$setElementOrder/containers".into(), keyed_list(r, "name", &[]));
    }
    Value::Map(pod)
}

fn object(r: &mut Rng) -> Value {
    if r.below(2) == 0 {
        let mut template = Map::new();
        template.insert("spec".into(), pod_spec(r));
        let mut spec = Map::new();
        spec.insert("template".into(), Value::Map(template));
        let mut m = Map::new();
        m.insert("apiVersion".into(), "apps/v1".into());
        m.insert("kind".into(), "Deployment".into());
        let mut meta = Map::new();
        meta.insert("name".into(), "x".into());
        if r.below(2) == 0 {
            meta.insert("finalizers".into(), Value::Seq((0..r.below(3)).map(|_| value(r, 0)).collect()));
        }
        m.insert("metadata".into(), Value::Map(meta));
        m.insert("spec".into(), Value::Map(spec));
        return Value::Map(m);
    }
    let mut m = match value(r, 5) {
        Value::Map(m) => m,
        _ => Map::new(),
    };
    let (av, kind) = [("apps/v1", "Deployment"), ("v1", "Pod"), ("example.com/v1", "Widget")][r.below(3)];
    m.insert("apiVersion".into(), av.into());
    m.insert("kind".into(), kind.into());
    let mut meta = Map::new();
    meta.insert("name".into(), "x".into());
    m.insert("metadata".into(), Value::Map(meta));
    Value::Map(m)
}

#[test]
fn strategic_merge_never_panics_and_empty_patch_is_identity() {
    let schemas = Schemas::builtin();
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut identity_checked = 0;
    for _ in 0..4000 {
        let obj = object(&mut r);
        let patch = object(&mut r);
        let _ = smp::apply(obj.clone(), &patch, &schemas);
        let empty = Value::Map(Map::new());
        if smp::is_normalized(&obj, &schemas) {
            let out = smp::apply(obj.clone(), &empty, &schemas).expect("empty patch on a normalised object");
            assert_eq!(out.as_ref(), Some(&obj), "empty patch changed {obj:?}");
            identity_checked += 1;
        }
    }
    assert!(identity_checked > 1000, "only {identity_checked} normalised objects generated");
}

#[test]
fn json_patch_never_panics_and_is_atomic() {
    let mut r = Rng(42);
    let paths = ["", "/", "/a", "/a/0", "/a/-", "/a/b", "/spec/x", "/0", "/a~1b", "/a/01", "/~2"];
    let ops = ["add", "remove", "replace", "move", "copy", "test", "bogus"];
    for _ in 0..4000 {
        let doc = value(&mut r, 4);
        let mut list = Vec::new();
        for _ in 0..r.below(4) {
            let mut m = Map::new();
            m.insert("op".into(), r.pick(&ops).into());
            m.insert("path".into(), r.pick(&paths).into());
            m.insert("from".into(), r.pick(&paths).into());
            if r.below(4) > 0 {
                m.insert("value".into(), value(&mut r, 2));
            }
            list.push(Value::Map(m));
        }
        if let Ok(p) = JsonPatch::from_value(&Value::Seq(list)) {
            let mut d = doc.clone();
            if p.apply(&mut d).is_err() {
                assert_eq!(d, doc, "a failed patch modified the document");
            }
        }
    }
}
