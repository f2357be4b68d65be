//! JSON Pointer (RFC 6901): parsing, escaping and lookups on [`Value`].

use kiln_yaml::Value;
use std::fmt;

/// A parsed JSON Pointer: the sequence of unescaped reference tokens.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pointer {
    tokens: Vec<String>,
}

/// Why a string is not a JSON Pointer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointerError {
    /// A non-empty pointer must start with `/`.
    #[error("JSON pointer {0:?} must be empty or start with '/'")]
    MissingSlash(String),
    /// `~` must be followed by `0` or `1`.
    #[error("JSON pointer {0:?} has an invalid escape: '~' must be followed by '0' or '1'")]
    BadEscape(String),
}

impl Pointer {
    /// The pointer to the whole document (`""`).
    pub fn root() -> Self {
        Self::default()
    }

    /// Parse `s` (for example `/spec/containers/0/image` or `/metadata/labels/app.kubernetes.io~1name`).
    pub fn parse(s: &str) -> Result<Self, PointerError> {
        if s.is_empty() {
            return Ok(Self::root());
        }
        let Some(rest) = s.strip_prefix('/') else {
            return Err(PointerError::MissingSlash(s.to_owned()));
        };
        let mut tokens = Vec::new();
        for raw in rest.split('/') {
            tokens.push(unescape(raw).ok_or_else(|| PointerError::BadEscape(s.to_owned()))?);
        }
        Ok(Self { tokens })
    }

    /// Build a pointer from unescaped tokens.
    pub fn from_tokens<I, S>(tokens: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self { tokens: tokens.into_iter().map(Into::into).collect() }
    }

    /// The unescaped reference tokens.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// True for the root pointer `""`.
    pub fn is_root(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The parent pointer and the last token, or `None` for the root.
    pub fn split_last(&self) -> Option<(Pointer, &str)> {
        let (last, init) = self.tokens.split_last()?;
        Some((Pointer { tokens: init.to_vec() }, last.as_str()))
    }

    /// True when `self` is a proper prefix of `other` (an ancestor location).
    pub fn is_proper_prefix_of(&self, other: &Pointer) -> bool {
        self.tokens.len() < other.tokens.len() && other.tokens.starts_with(&self.tokens)
    }

    /// The value this pointer designates in `doc`, if any.
    pub fn get<'v>(&self, doc: &'v Value) -> Option<&'v Value> {
        self.tokens.iter().try_fold(doc, |v, t| step(v, t))
    }

    /// The value this pointer designates in `doc`, mutably, if any.
    pub fn get_mut<'v>(&self, doc: &'v mut Value) -> Option<&'v mut Value> {
        self.tokens.iter().try_fold(doc, |v, t| step_mut(v, t))
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for t in &self.tokens {
            write!(f, "/{}", escape(t))?;
        }
        Ok(())
    }
}

/// Escape one reference token (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescape one reference token; `None` when it contains an invalid escape.
pub fn unescape(token: &str) -> Option<String> {
    if !token.contains('~') {
        return Some(token.to_owned());
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Parse an RFC 6901 array index: decimal digits without leading zeros.
pub fn parse_index(token: &str) -> Option<usize> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if token.len() > 1 && token.starts_with('0') {
        return None;
    }
    token.parse().ok()
}

fn step<'v>(v: &'v Value, token: &str) -> Option<&'v Value> {
    match v {
        Value::Map(m) => m.get(token),
        Value::Seq(s) => parse_index(token).and_then(|i| s.get(i)),
        _ => None,
    }
}

fn step_mut<'v>(v: &'v mut Value, token: &str) -> Option<&'v mut Value> {
    match v {
        Value::Map(m) => m.get_mut(token),
        Value::Seq(s) => parse_index(token).and_then(move |i| s.get_mut(i)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        let p = Pointer::parse("/a~1b/c~0d/0").unwrap();
        assert_eq!(p.tokens(), ["a/b", "c~d", "0"]);
        assert_eq!(p.to_string(), "/a~1b/c~0d/0");
        assert!(Pointer::parse("a").is_err());
        assert!(Pointer::parse("/a~2").is_err());
        assert!(Pointer::parse("").unwrap().is_root());
        assert_eq!(Pointer::parse("/").unwrap().tokens(), [""]);
    }

    #[test]
    fn indexes() {
        assert_eq!(parse_index("0"), Some(0));
        assert_eq!(parse_index("10"), Some(10));
        assert_eq!(parse_index("01"), None);
        assert_eq!(parse_index("-"), None);
        assert_eq!(parse_index("1e0"), None);
    }
}
