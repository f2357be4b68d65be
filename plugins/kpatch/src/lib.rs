//! Kubernetes patching: JSON patch, merge patch, strategic merge patch, kustomize-style targets.
