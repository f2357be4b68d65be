//! Kubernetes label selectors (`app=web,tier!=db,env in (prod,staging),!canary`) and kustomize-style targets.

use crate::resid::ObjectId;
use kiln_yaml::Value;
use regex::Regex;
use std::fmt;

/// Why a selector or target is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// The label selector does not parse.
    #[error("invalid selector {selector:?}: {message}")]
    Syntax {
        /// The selector text.
        selector: String,
        /// What is wrong.
        message: String,
    },
    /// A target field is not a valid regular expression.
    #[error("invalid {field} pattern {pattern:?} in target: {message}")]
    Regex {
        /// `group`, `version`, `kind`, `name` or `namespace`.
        field: &'static str,
        /// The pattern.
        pattern: String,
        /// The regex error.
        message: String,
    },
}

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// `key` — the label exists.
    Exists(String),
    /// `!key` — the label does not exist.
    DoesNotExist(String),
    /// `key=v`, `key==v`, `key in (v1,v2)`.
    In(String, Vec<String>),
    /// `key!=v`, `key notin (v1,v2)`: the label is absent or has another value.
    NotIn(String, Vec<String>),
    /// `key>n`: the label is an integer greater than `n`.
    Gt(String, i64),
    /// `key<n`: the label is an integer less than `n`.
    Lt(String, i64),
}

impl Requirement {
    fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str());
        match self {
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
            Requirement::In(k, vs) => get(k).is_some_and(|v| vs.iter().any(|x| x == v)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|v| !vs.iter().any(|x| x == v)),
            Requirement::Gt(k, n) => get(k).and_then(|v| v.parse::<i64>().ok()).is_some_and(|v| v > *n),
            Requirement::Lt(k, n) => get(k).and_then(|v| v.parse::<i64>().ok()).is_some_and(|v| v < *n),
        }
    }
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    /// All requirements must hold.
    pub requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Comma,
    Eq,
    DoubleEq,
    NotEq,
    Not,
    Open,
    Close,
    Gt,
    Lt,
    In,
    NotIn,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) => write!(f, "{s:?}"),
            Tok::Comma => f.write_str("','"),
            Tok::Eq => f.write_str("'='"),
            Tok::DoubleEq => f.write_str("'=='"),
            Tok::NotEq => f.write_str("'!='"),
            Tok::Not => f.write_str("'!'"),
            Tok::Open => f.write_str("'('"),
            Tok::Close => f.write_str("')'"),
            Tok::Gt => f.write_str("'>'"),
            Tok::Lt => f.write_str("'<'"),
            Tok::In => f.write_str("'in'"),
            Tok::NotIn => f.write_str("'notin'"),
        }
    }
}

fn lex(s: &str) -> Vec<Tok> {
    let special = |c: char| matches!(c, '=' | '!' | '(' | ')' | ',' | '>' | '<');
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if special(c) {
            chars.next();
            let next = chars.peek().copied();
            out.push(match (c, next) {
                ('=', Some('=')) => {
                    chars.next();
                    Tok::DoubleEq
                }
                ('!', Some('=')) => {
                    chars.next();
                    Tok::NotEq
                }
                ('=', _) => Tok::Eq,
                ('!', _) => Tok::Not,
                ('(', _) => Tok::Open,
                (')', _) => Tok::Close,
                (',', _) => Tok::Comma,
                ('>', _) => Tok::Gt,
                _ => Tok::Lt,
            });
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || special(c) {
                break;
            }
            word.push(c);
            chars.next();
        }
        out.push(match word.as_str() {
            "in" => Tok::In,
            "notin" => Tok::NotIn,
            _ => Tok::Ident(word),
        });
    }
    out
}

fn valid_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn valid_key(k: &str) -> bool {
    match k.rsplit_once('/') {
        Some((prefix, name)) => {
            !prefix.is_empty()
                && prefix.len() <= 253
                && prefix.split('.').all(|p| {
                    !p.is_empty()
                        && p.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
                        && !p.starts_with('-')
                        && !p.ends_with('-')
                })
                && valid_name_part(name)
        }
        None => valid_name_part(k),
    }
}

fn valid_value(v: &str) -> bool {
    v.is_empty() || valid_name_part(v)
}

impl LabelSelector {
    /// Parse Kubernetes label-selector syntax.
    pub fn parse(s: &str) -> Result<Self, SelectorError> {
        let err = |message: String| SelectorError::Syntax { selector: s.to_owned(), message };
        let toks = lex(s);
        let mut i = 0;
        let mut reqs = Vec::new();
        let next = |i: &mut usize| -> Option<Tok> {
            let t = toks.get(*i).cloned();
            *i += 1;
            t
        };
        if toks.is_empty() {
            return Ok(Self::default());
        }
        loop {
            let req = match next(&mut i) {
                Some(Tok::Not) => match next(&mut i) {
                    Some(Tok::Ident(k)) => Requirement::DoesNotExist(k),
                    t => return Err(err(format!("expected a key after '!', found {}", show(t)))),
                },
                Some(Tok::Ident(k)) => match toks.get(i) {
                    None | Some(Tok::Comma) => Requirement::Exists(k),
                    Some(op) => {
                        let op = op.clone();
                        i += 1;
                        match op {
                            Tok::Eq | Tok::DoubleEq | Tok::NotEq => {
                                let v = match toks.get(i) {
                                    Some(Tok::Ident(v)) => {
                                        i += 1;
                                        v.clone()
                                    }
                                    None | Some(Tok::Comma) => String::new(),
                                    Some(t) => return Err(err(format!("expected a value, found {t}"))),
                                };
                                if op == Tok::NotEq {
                                    Requirement::NotIn(k, vec![v])
                                } else {
                                    Requirement::In(k, vec![v])
                                }
                            }
                            Tok::In | Tok::NotIn => {
                                if next(&mut i) != Some(Tok::Open) {
                                    return Err(err(format!("expected '(' after {op}")));
                                }
                                let mut vs = Vec::new();
                                loop {
                                    match next(&mut i) {
                                        Some(Tok::Ident(v)) => {
                                            vs.push(v);
                                            match next(&mut i) {
                                                Some(Tok::Comma) => {}
                                                Some(Tok::Close) => break,
                                                t => {
                                                    return Err(err(format!("expected ',' or ')', found {}", show(t))));
                                                }
                                            }
                                        }
                                        Some(Tok::Close) => {
                                            vs.push(String::new());
                                            break;
                                        }
                                        Some(Tok::Comma) => vs.push(String::new()),
                                        t => return Err(err(format!("expected a value, found {}", show(t)))),
                                    }
                                }
                                if op == Tok::In { Requirement::In(k, vs) } else { Requirement::NotIn(k, vs) }
                            }
                            Tok::Gt | Tok::Lt => {
                                let n = match next(&mut i) {
                                    Some(Tok::Ident(v)) => {
                                        v.parse::<i64>().map_err(|_| err(format!("{v:?} is not an integer")))?
                                    }
                                    t => return Err(err(format!("expected an integer, found {}", show(t)))),
                                };
                                if op == Tok::Gt { Requirement::Gt(k, n) } else { Requirement::Lt(k, n) }
                            }
                            t => return Err(err(format!("expected an operator after {k:?}, found {t}"))),
                        }
                    }
                },
                t => return Err(err(format!("expected a key, found {}", show(t)))),
            };
            let (key, values): (&str, Vec<&str>) = match &req {
                Requirement::Exists(k) | Requirement::DoesNotExist(k) => (k, vec![]),
                Requirement::In(k, vs) | Requirement::NotIn(k, vs) => (k, vs.iter().map(String::as_str).collect()),
                Requirement::Gt(k, _) | Requirement::Lt(k, _) => (k, vec![]),
            };
            if !valid_key(key) {
                return Err(err(format!("invalid label key {key:?}")));
            }
            if let Some(v) = values.iter().find(|v| !valid_value(v)) {
                return Err(err(format!("invalid label value {v:?}")));
            }
            reqs.push(req);
            match next(&mut i) {
                None => break,
                Some(Tok::Comma) => continue,
                Some(t) => return Err(err(format!("expected ',' or the end, found {t}"))),
            }
        }
        Ok(Self { requirements: reqs })
    }

    /// True when every requirement holds for `labels`.
    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }
}

fn show(t: Option<Tok>) -> String {
    t.map_or_else(|| "the end".to_owned(), |t| t.to_string())
}

/// A kustomize `Selector`: which objects a patch applies to. Empty fields match anything; `group`, `version`,
/// `kind`, `name` and `namespace` are regular expressions anchored at both ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// API group (`apps`; empty string for the core group is not distinguishable from "any").
    pub group: String,
    /// API version (`v1`).
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Object name.
    pub name: String,
    /// Namespace; objects without one are in `default`.
    pub namespace: String,
    /// Label selector.
    pub label_selector: String,
    /// Annotation selector (label-selector syntax over annotations).
    pub annotation_selector: String,
}

/// A [`Target`] with its patterns compiled.
#[derive(Debug, Clone)]
pub struct CompiledTarget {
    target: Target,
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: LabelSelector,
    annotations: LabelSelector,
}

fn anchored(field: &'static str, p: &str) -> Result<Option<Regex>, SelectorError> {
    if p.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{p})$")).map(Some).map_err(|e| SelectorError::Regex {
        field,
        pattern: p.to_owned(),
        message: e.to_string(),
    })
}

impl Target {
    /// Compile the patterns and selectors.
    pub fn compile(&self) -> Result<CompiledTarget, SelectorError> {
        Ok(CompiledTarget {
            target: self.clone(),
            group: anchored("group", &self.group)?,
            version: anchored("version", &self.version)?,
            kind: anchored("kind", &self.kind)?,
            name: anchored("name", &self.name)?,
            namespace: anchored("namespace", &self.namespace)?,
            labels: LabelSelector::parse(&self.label_selector)?,
            annotations: LabelSelector::parse(&self.annotation_selector)?,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for (k, v) in [
            ("group", &self.group),
            ("version", &self.version),
            ("kind", &self.kind),
            ("name", &self.name),
            ("namespace", &self.namespace),
            ("labelSelector", &self.label_selector),
            ("annotationSelector", &self.annotation_selector),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={v:?}"));
            }
        }
        if parts.is_empty() { f.write_str("{any object}") } else { write!(f, "{{{}}}", parts.join(", ")) }
    }
}

impl CompiledTarget {
    /// The source target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// True when the object (current state `obj`, identity before this run's changes `original`) is selected.
    pub fn matches(&self, obj: &Value, current: &ObjectId, original: &ObjectId) -> bool {
        let hit = |r: &Option<Regex>, s: &str| r.as_ref().is_none_or(|r| r.is_match(s));
        if self.namespace.is_some()
            && !hit(&self.namespace, original.effective_namespace())
            && !hit(&self.namespace, current.effective_namespace())
        {
            return false;
        }
        if self.name.is_some() && !hit(&self.name, &original.name) && !hit(&self.name, &current.name) {
            return false;
        }
        if !hit(&self.group, &current.group) || !hit(&self.version, &current.version) || !hit(&self.kind, &current.kind)
        {
            return false;
        }
        (self.labels.requirements.is_empty() || self.labels.matches(&crate::values::meta_string_map(obj, "labels")))
            && (self.annotations.requirements.is_empty()
                || self.annotations.matches(&crate::values::meta_string_map(obj, "annotations")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn set_based_selectors() {
        let s = LabelSelector::parse("app in (web, api),tier notin (db),!canary,env").unwrap();
        assert!(s.matches(&l(&[("app", "web"), ("tier", "fe"), ("env", "x")])));
        assert!(!s.matches(&l(&[("app", "web"), ("tier", "db"), ("env", "x")])));
        assert!(!s.matches(&l(&[("app", "web"), ("canary", ""), ("env", "x")])));
        assert!(!s.matches(&l(&[("app", "web")])));
        let s = LabelSelector::parse("a!=b").unwrap();
        assert!(s.matches(&l(&[])));
        assert!(!s.matches(&l(&[("a", "b")])));
        assert!(LabelSelector::parse("").unwrap().matches(&l(&[])));
        assert!(LabelSelector::parse("a in b").is_err());
        assert!(LabelSelector::parse("a=b=c").is_err());
        assert!(LabelSelector::parse("-bad=x").is_err());
    }
}
