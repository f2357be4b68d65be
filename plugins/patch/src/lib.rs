//! kiln's built-in patch post-renderer.
