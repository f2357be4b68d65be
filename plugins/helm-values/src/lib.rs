//! Helm values: values files, `--set` parsing and merging, shared by the host and the Helm renderer.
