//! kiln apply: server-side apply with inventory-based pruning, dry-run, diff and health waits.
