//! YAML for kiln.
//!
//! * [`Value`]: the document model (string-keyed, insertion-ordered mappings).
//! * Loading with go-yaml v2 / YAML 1.1 semantics, as Helm and `sigs.k8s.io/yaml` read values and manifests.
//! * Emitting byte-compatible with Helm's `toYaml` and with `kubectl kustomize` output.

mod value;

pub use value::{Map, Value};
