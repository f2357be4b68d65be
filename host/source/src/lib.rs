//! kiln sources: fetch charts and overlays from Git, HTTPS Helm repositories and OCI registries into a verified cache.
