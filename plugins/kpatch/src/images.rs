//! The image transformer kustomize's `images:` field (and Flux's `postRenderers[].kustomize.images`) runs.
//!
//! Like kustomize v5.7.1 it updates the `image` of every element of every `containers` or `initContainers` list
//! anywhere in an object, and `image.reference` of `spec.volumes[]` and `spec.template.spec.volumes[]`
//! (image volumes); `CustomResourceDefinition`s are never touched. An entry's `name` is matched as a regular
//! expression against the image without its tag and digest; `newName` replaces the name, `newTag` the tag
//! (dropping any digest), `digest` the digest (dropping any tag); both `newTag` and `digest` give
//! `name:tag@digest`.

use crate::values::{node_kind, short_json};
use kiln_yaml::Value;
use regex::Regex;

/// One `images:` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Image {
    /// The image name to match (without tag or digest); a regular expression, as in kustomize.
    pub name: String,
    /// Replacement name.
    pub new_name: String,
    /// Replacement tag.
    pub new_tag: String,
    /// Replacement digest (`sha256:...`).
    pub digest: String,
}

/// Why the image transformer failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// `name` is not a valid pattern.
    #[error("images: name {name:?} is not a valid pattern: {message}")]
    Pattern {
        /// The name.
        name: String,
        /// The regex error.
        message: String,
    },
    /// An `image` field is not a string.
    #[error("{path}: image must be a string to apply images entry {name:?}, found a {kind}: {value}")]
    NotAString {
        /// Where.
        path: String,
        /// The entry's name.
        name: String,
        /// The node kind found.
        kind: &'static str,
        /// The value.
        value: String,
    },
}

/// An [`Image`] with its pattern compiled.
#[derive(Debug, Clone)]
pub struct ImageRule {
    image: Image,
    pattern: Regex,
}

impl Image {
    /// Compile the name pattern.
    pub fn compile(&self) -> Result<ImageRule, ImageError> {
        let pattern = Regex::new(&format!("^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$", self.name))
            .map_err(|e| ImageError::Pattern { name: self.name.clone(), message: e.to_string() })?;
        Ok(ImageRule { image: self.clone(), pattern })
    }
}

/// Split `[host[:port]/]path[:tag][@digest]` into name, tag and digest, as kustomize does.
pub fn split(image: &str) -> (&str, &str, &str) {
    let slash = image.find('/').filter(|&i| i > 0).unwrap_or(0);
    let search = image.get(slash..).unwrap_or("");
    let at = search.find('@');
    let colon = search.find(':');
    match (colon, at) {
        (None, None) => (image, "", ""),
        (c, Some(a)) if c.is_none_or(|c| a < c) => {
            let a = a + slash;
            (image.get(..a).unwrap_or(image), "", image.get(a + 1..).unwrap_or(""))
        }
        (Some(c), Some(a)) => {
            let (c, a) = (c + slash, a + slash);
            (image.get(..c).unwrap_or(image), image.get(c + 1..a).unwrap_or(""), image.get(a + 1..).unwrap_or(""))
        }
        (Some(c), None) => {
            let c = c + slash;
            (image.get(..c).unwrap_or(image), image.get(c + 1..).unwrap_or(""), "")
        }
        (None, Some(_)) => (image, "", ""),
    }
}

impl ImageRule {
    /// The new value for `image`, or `None` when the rule does not match it.
    pub fn rewrite(&self, image: &str) -> Option<String> {
        if !self.pattern.is_match(image) {
            return None;
        }
        let (name, tag, digest) = split(image);
        let i = &self.image;
        let name = if i.new_name.is_empty() { name } else { &i.new_name };
        let (tag, digest) = match (i.new_tag.is_empty(), i.digest.is_empty()) {
            (false, false) => (i.new_tag.as_str(), i.digest.as_str()),
            (false, true) => (i.new_tag.as_str(), ""),
            (true, false) => ("", i.digest.as_str()),
            (true, true) => (tag, digest),
        };
        let mut out = name.to_owned();
        if !tag.is_empty() {
            out.push(':');
            out.push_str(tag);
        }
        if !digest.is_empty() {
            out.push('@');
            out.push_str(digest);
        }
        Some(out)
    }

    /// Apply the rule to one object. Returns whether anything changed.
    pub fn apply(&self, obj: &mut Value) -> Result<bool, ImageError> {
        if obj.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition") {
            return Ok(false);
        }
        let mut changed = false;
        let mut path = Vec::new();
        self.walk(obj, &mut path, &mut changed)?;
        for prefix in [&["spec"][..], &["spec", "template", "spec"][..]] {
            let Some(Value::Seq(vols)) =
                prefix.iter().try_fold(&mut *obj, |v, k| v.get_mut(k)).and_then(|v| v.get_mut("volumes"))
            else {
                continue;
            };
            for (i, vol) in vols.iter_mut().enumerate() {
                if let Some(r) = vol.get_mut("image").and_then(|im| im.get_mut("reference")) {
                    let p = format!("{}.volumes[{i}].image.reference", prefix.join("."));
                    changed |= self.update(r, &p)?;
                }
            }
        }
        Ok(changed)
    }

    fn update(&self, v: &mut Value, path: &str) -> Result<bool, ImageError> {
        match v {
            Value::Null => Ok(false),
            Value::Map(_) | Value::Seq(_) => Err(ImageError::NotAString {
                path: path.to_owned(),
                name: self.image.name.clone(),
                kind: node_kind(v),
                value: short_json(v, 120),
            }),
            other => {
                let text = crate::values::node_text(other);
                match self.rewrite(&text) {
                    Some(new) if new != text => {
                        *other = Value::String(new);
                        Ok(true)
                    }
                    _ => Ok(false),
                }
            }
        }
    }

    fn walk(&self, v: &mut Value, path: &mut Vec<String>, changed: &mut bool) -> Result<(), ImageError> {
        match v {
            Value::Map(m) => {
                for (k, child) in m.iter_mut() {
                    path.push(k.clone());
                    self.walk(child, path, changed)?;
                    if (k == "containers" || k == "initContainers")
                        && let Value::Seq(items) = child
                    {
                        for (i, item) in items.iter_mut().enumerate() {
                            if let Some(img) = item.get_mut("image") {
                                let p = format!("{}[{i}].image", path.join("."));
                                *changed |= self.update(img, &p)?;
                            }
                        }
                    }
                    path.pop();
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    path.push(format!("[{i}]"));
                    self.walk(item, path, changed)?;
                    path.pop();
                }
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_like_kustomize() {
        assert_eq!(split("nginx"), ("nginx", "", ""));
        assert_eq!(split("nginx:1.2"), ("nginx", "1.2", ""));
        assert_eq!(split("localhost:5000/nginx:1.2"), ("localhost:5000/nginx", "1.2", ""));
        assert_eq!(split("nginx@sha256:abc"), ("nginx", "", "sha256:abc"));
        assert_eq!(split("r.io/a/b:t@sha256:abc"), ("r.io/a/b", "t", "sha256:abc"));
    }

    #[test]
    fn rewrite_rules() {
        let r = Image { name: "nginx".into(), new_tag: "2".into(), ..Image::default() }.compile().unwrap();
        assert_eq!(r.rewrite("nginx:1@sha256:x").as_deref(), Some("nginx:2"));
        assert_eq!(r.rewrite("nginx-other:1"), None);
        let r = Image { name: "nginx".into(), digest: "sha256:d".into(), ..Image::default() }.compile().unwrap();
        assert_eq!(r.rewrite("nginx:1").as_deref(), Some("nginx@sha256:d"));
    }
}
