//! The overlay's files as the plugin receives them, and kustomize's file loader over them.
//!
//! The host sends every file the build may read with `/`-separated paths relative to a common root. A [`Loader`]
//! is rooted at one kustomization directory and applies kustomize's default load restriction
//! (`LoadRestrictionsRootOnly`): a file named by a kustomization must be inside that kustomization's directory,
//! while other kustomization directories (bases, components) may be anywhere in the tree, as long as a directory
//! does not include one of its own ancestors (a cycle).

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Error, Result};

/// An in-memory directory tree.
#[derive(Debug, Clone, Default)]
pub struct FileTree {
    files: BTreeMap<String, Vec<u8>>,
    dirs: BTreeSet<String>,
    /// Remote bases the host fetched: the reference as a kustomization writes it → its directory in the tree.
    remotes: BTreeMap<String, String>,
}

/// Normalise a relative path: drop `.` and empty segments, resolve `..`. `None` when `..` climbs above the root
/// or the path is absolute.
pub fn clean(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// `dir` joined with `rel`, normalised (see [`clean`]).
pub fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    if dir.is_empty() { clean(rel) } else { clean(&format!("{dir}/{rel}")) }
}

/// True when `path` is `dir` or below it.
pub fn is_within(path: &str, dir: &str) -> bool {
    dir.is_empty() || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

/// The parent directory of a path (`""` for a top-level entry).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// The last segment of a path.
pub fn base_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, b)| b)
}

impl FileTree {
    /// Build a tree from `(path, content)` pairs. Paths must be relative and stay inside the root.
    pub fn new(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Result<Self> {
        let mut tree = FileTree::default();
        for (path, content) in files {
            let clean = clean(&path)
                .filter(|p| !p.is_empty())
                .ok_or_else(|| Error::invalid(format!("file path {path:?} is not a relative path inside the root")))?;
            let mut dir = parent(&clean);
            loop {
                tree.dirs.insert(dir.to_owned());
                if dir.is_empty() {
                    break;
                }
                dir = parent(dir);
            }
            tree.files.insert(clean, content);
        }
        tree.dirs.insert(String::new());
        Ok(tree)
    }

    /// Declare remote bases and files the host fetched into this tree: each reference, exactly as kustomizations
    /// write it, maps to the tree directory holding that base or to the fetched file. Each must exist in the tree.
    pub fn with_remotes(mut self, remotes: impl IntoIterator<Item = (String, String)>) -> Result<Self> {
        for (reference, dir) in remotes {
            let clean = clean(&dir)
                .filter(|d| self.dirs.contains(d) || self.files.contains_key(d))
                .ok_or_else(|| Error::invalid(format!("remote {reference:?}: {dir:?} is not among the files")))?;
            self.remotes.insert(reference, clean);
        }
        Ok(self)
    }

    /// The tree directory of a remote base the host fetched.
    pub fn remote(&self, reference: &str) -> Option<&str> {
        self.remotes.get(reference.trim()).map(String::as_str)
    }

    /// The content of a file.
    pub fn read(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// True when `path` is a directory holding at least one file (the root always is one).
    pub fn is_dir(&self, path: &str) -> bool {
        self.dirs.contains(path)
    }

    /// Every file at or below `dir`, with paths relative to `dir`, in byte order.
    pub fn files_under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'a {
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        let len = prefix.len();
        self.files
            .range(prefix.clone()..)
            .take_while(move |(p, _)| p.starts_with(&prefix))
            .map(move |(p, c)| (p.get(len..).unwrap_or(""), c.as_slice()))
    }
}

/// kustomize's load restrictions (`--load-restrictor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadRestrictor {
    /// `LoadRestrictionsRootOnly` (the default): files must be in or below the kustomization's directory.
    #[default]
    RootOnly,
    /// `LoadRestrictionsNone`: files may be anywhere.
    None,
}

/// True when `path` names a remote location (a Git repository or an HTTP(S) URL), which the plugin cannot read.
pub fn is_remote(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains("://")
        || ["git@", "git::", "gh:", "github.com/", "gitlab.com/", "bitbucket.org/"].iter().any(|p| lower.starts_with(p))
}

/// A file loader rooted at one kustomization directory.
#[derive(Debug, Clone)]
pub struct Loader<'t> {
    tree: &'t FileTree,
    root: String,
    restrictor: LoadRestrictor,
    /// The directories above this one in the build (for cycle detection), this one last.
    chain: Vec<String>,
}

impl<'t> Loader<'t> {
    /// A loader at `root` (a directory of `tree`).
    pub fn new(tree: &'t FileTree, root: &str, restrictor: LoadRestrictor) -> Result<Self> {
        let root = clean(root).ok_or_else(|| Error::invalid(format!("{root:?} is outside the overlay's files")))?;
        if !tree.is_dir(&root) {
            return Err(Error::invalid(format!("must build at directory: '{}': not a directory", display(&root))));
        }
        Ok(Loader { tree, root: root.clone(), restrictor, chain: vec![root] })
    }

    /// The directory this loader is rooted at (relative to the tree's root; `""` is the root).
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The file tree.
    pub fn tree(&self) -> &'t FileTree {
        self.tree
    }

    /// The load restrictor in force.
    pub fn restrictor(&self) -> LoadRestrictor {
        self.restrictor
    }

    /// Resolve `path` (relative to the root) to a tree path, without reading it.
    pub fn resolve(&self, path: &str) -> Result<String> {
        if is_remote(path) {
            return match self.tree.remote(path) {
                Some(dir) => Ok(dir.to_owned()),
                None => Err(Error::unsupported(format!(
                    "'{path}': this remote resource was not fetched by the host (run the build through `kiln \
                     kustomize`, which fetches Git bases and HTTP(S) files)"
                ))),
            };
        }
        join(&self.root, path).ok_or_else(|| {
            Error::invalid(format!(
                "'{path}' resolves outside the files available to the build (relative to '{}')",
                display(&self.root)
            ))
        })
    }

    /// Read a file named relative to the root, enforcing the load restriction.
    pub fn load(&self, path: &str) -> Result<&'t [u8]> {
        let full = self.resolve(path)?;
        // Remote files (fetched by the host) are not under any root; kustomize's restrictor lets URLs through.
        if self.restrictor == LoadRestrictor::RootOnly && !is_remote(path) && !is_within(&full, &self.root) {
            return Err(Error::invalid(format!(
                "security; file '{}' is not in or below '{}'",
                display(&full),
                display(&self.root)
            )));
        }
        match self.tree.read(&full) {
            Some(c) => Ok(c),
            None if self.tree.is_dir(&full) => Err(Error::invalid(format!("'{}' is a directory", display(&full)))),
            None => Err(Error::invalid(format!("open '{}': no such file or directory", display(&full)))),
        }
    }

    /// True when `path` (relative to the root) names a directory.
    pub fn is_dir(&self, path: &str) -> bool {
        self.resolve(path).is_ok_and(|p| self.tree.is_dir(&p))
    }

    /// A loader for the kustomization directory `path` (relative to this root).
    pub fn sub(&self, path: &str) -> Result<Loader<'t>> {
        let full = self.resolve(path)?;
        if !self.tree.is_dir(&full) {
            return Err(Error::invalid(format!(
                "'{}' is neither a file nor a directory with a kustomization",
                display(&full)
            )));
        }
        if let Some(visited) = self.chain.iter().find(|v| is_within(v, &full)) {
            return Err(Error::invalid(format!(
                "cycle detected: candidate root '{}' contains visited root '{}'",
                display(&full),
                display(visited)
            )));
        }
        let mut chain = self.chain.clone();
        chain.push(full.clone());
        Ok(Loader { tree: self.tree, root: full, restrictor: self.restrictor, chain })
    }
}

/// A tree path for messages (`.` for the root).
pub fn display(path: &str) -> &str {
    if path.is_empty() { "." } else { path }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> FileTree {
        FileTree::new([
            ("base/kustomization.yaml".to_owned(), b"resources: [a.yaml]".to_vec()),
            ("base/a.yaml".to_owned(), b"x".to_vec()),
            ("overlay/kustomization.yaml".to_owned(), b"resources: [../base]".to_vec()),
            ("secret.txt".to_owned(), b"s".to_vec()),
        ])
        .unwrap()
    }

    #[test]
    fn paths() {
        assert_eq!(clean("a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(clean("../x"), None);
        assert_eq!(join("overlay", "../base").as_deref(), Some("base"));
        assert!(is_within("a/b", "a") && !is_within("ab", "a") && is_within("x", ""));
        assert!(is_remote("https://github.com/org/repo//path?ref=v1") && is_remote("github.com/org/repo"));
        assert!(!is_remote("../base"));
    }

    #[test]
    fn root_only_restriction() {
        let t = tree();
        let l = Loader::new(&t, "overlay", LoadRestrictor::RootOnly).unwrap();
        assert!(l.load("../secret.txt").unwrap_err().message.contains("security"));
        let none = Loader::new(&t, "overlay", LoadRestrictor::None).unwrap();
        assert_eq!(none.load("../secret.txt").unwrap(), b"s");
        let base = l.sub("../base").unwrap();
        assert_eq!(base.load("a.yaml").unwrap(), b"x");
        assert!(base.load("missing.yaml").unwrap_err().message.contains("no such file"));
    }

    #[test]
    fn cycles_are_rejected() {
        let t = tree();
        let l = Loader::new(&t, "base", LoadRestrictor::RootOnly).unwrap();
        assert!(l.sub("..").unwrap_err().message.contains("cycle"));
        assert!(l.sub(".").unwrap_err().message.contains("cycle"));
    }
}
