//! Sprig's path functions: `base dir clean ext isAbs` (Go's `path`) and `osBase osClean osDir osExt osIsAbs`
//! (Go's `path/filepath`, which on the Linux hosts Helm runs on behaves exactly like `path`).

use crate::funcs::{Funcs, Param, Signature};
use crate::value::Value;

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    let one = Signature::new(&[Param::String]);
    for name in ["base", "osBase"] {
        funcs.register(name, one, |_, a| Ok(Value::from(base(a.str(0)?))));
    }
    for name in ["dir", "osDir"] {
        funcs.register(name, one, |_, a| Ok(Value::from(dir(a.str(0)?))));
    }
    for name in ["clean", "osClean"] {
        funcs.register(name, one, |_, a| Ok(Value::from(clean(a.str(0)?))));
    }
    for name in ["ext", "osExt"] {
        funcs.register(name, one, |_, a| Ok(Value::from(ext(a.str(0)?))));
    }
    for name in ["isAbs", "osIsAbs"] {
        funcs.register(name, one, |_, a| Ok(Value::Bool(a.str(0)?.starts_with('/'))));
    }
}

/// Go's `path.Clean`: the shortest equivalent path by lexical processing.
pub(crate) fn clean(path: &str) -> String {
    kiln_yaml::gofmt::path_clean(path)
}

/// Go's `path.Base`: the last element, trailing slashes removed (`.` for an empty path, `/` for slashes only).
pub(crate) fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Go's `path.Dir`: everything before the last slash, cleaned.
pub(crate) fn dir(path: &str) -> String {
    let head = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "",
    };
    clean(head)
}

/// Go's `path.Ext`: the suffix from the last dot of the last element.
pub(crate) fn ext(path: &str) -> String {
    for (i, b) in path.bytes().enumerate().rev() {
        match b {
            b'/' => break,
            b'.' => return path[i..].to_string(),
            _ => {}
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        for (input, want) in [
            ("", "."),
            ("a//b/../c", "a/c"),
            ("/../a", "/a"),
            ("../../a/..", "../.."),
            ("a/../..", ".."),
            ("/", "/"),
            ("./", "."),
            ("abc/./../def", "def"),
        ] {
            assert_eq!(clean(input), want, "{input}");
        }
        assert_eq!(base("/a/b/"), "b");
        assert_eq!(base("///"), "/");
        assert_eq!(dir("/a/b/c.txt"), "/a/b");
        assert_eq!(dir("c.txt"), ".");
        assert_eq!(ext("c.tar.gz"), ".gz");
        assert_eq!(ext("a.b/c"), "");
    }
}
