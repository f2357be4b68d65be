//! kiln's built-in Helm chart renderer.
