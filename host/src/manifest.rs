//! Manifest streams: splitting a multi-document YAML stream into objects, and writing one back.
//!
//! A stream is kept as entries that remember their exact source text, so that objects no plugin changed are
//! written back byte for byte. Objects are handed to plugins as compact JSON (every language reads JSON without a
//! YAML library); objects a plugin changed are written as YAML in the style of `kubectl kustomize`.

use std::fmt::Write as _;

use kiln_yaml::Value;

/// One document of a stream.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The separator line that preceded it (`---`, possibly with trailing text), if any.
    pub separator: Option<String>,
    /// Its exact text, up to the next separator.
    pub raw: String,
    /// Where it came from: the `# Source:` path when the stream carries Helm's comments, else `NAME:LINE`.
    pub origin: String,
    /// True when `origin` came from a `# Source:` comment.
    pub source_comment: bool,
    /// 1-based line of the document's first line in the input.
    pub line: usize,
    /// The object, or `None` for a document holding only comments or whitespace.
    pub object: Option<Value>,
}

/// An error reading a stream.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// A document is not valid YAML.
    #[error("{input}:{line}: {origin_note}invalid YAML: {source}")]
    Yaml {
        /// Input name.
        input: String,
        /// Line of the document start.
        line: usize,
        /// ` (from …) ` when the document has a `# Source:` comment.
        origin_note: String,
        /// The parser's error.
        #[source]
        source: kiln_yaml::Error,
    },
    /// A document is YAML but not an object.
    #[error("{input}:{line}: {origin_note}the document is a {kind}, not a Kubernetes object (a mapping)")]
    NotAnObject {
        /// Input name.
        input: String,
        /// Line of the document start.
        line: usize,
        /// ` (from …) ` when the document has a `# Source:` comment.
        origin_note: String,
        /// What it is instead.
        kind: &'static str,
    },
}

/// Split `input` (named `name` in errors and origins) into entries, parsing each document.
pub fn parse_stream(input: &str, name: &str) -> Result<Vec<Entry>, ManifestError> {
    let mut entries = Vec::new();
    for chunk in split_documents(input) {
        let (origin, source_comment) = match source_comment(chunk.raw) {
            Some(path) => (path.to_owned(), true),
            None => (format!("{name}:{}", chunk.line), false),
        };
        let origin_note = if source_comment { format!("(from {origin}) ") } else { String::new() };
        let value = kiln_yaml::from_str(chunk.raw).map_err(|source| ManifestError::Yaml {
            input: name.to_owned(),
            line: chunk.line,
            origin_note: origin_note.clone(),
            source,
        })?;
        let object = match value {
            Value::Null => None,
            Value::Map(_) => Some(value),
            other => {
                return Err(ManifestError::NotAnObject {
                    input: name.to_owned(),
                    line: chunk.line,
                    origin_note,
                    kind: other.type_name(),
                });
            }
        };
        entries.push(Entry {
            separator: chunk.separator.map(str::to_owned),
            raw: chunk.raw.to_owned(),
            origin,
            source_comment,
            line: chunk.line,
            object,
        });
    }
    Ok(entries)
}

struct Chunk<'a> {
    separator: Option<&'a str>,
    raw: &'a str,
    line: usize,
}

/// True for a YAML document-start line: `---` followed by nothing, whitespace, or a comment/inline content.
fn is_separator(line: &str) -> bool {
    let l = line.strip_suffix('\r').unwrap_or(line);
    l == "---" || l.starts_with("--- ") || l.starts_with("---\t")
}

/// Split at document-start lines. The text of each chunk excludes its separator line.
fn split_documents(input: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = 0usize; // byte offset of the current chunk's text
    let mut separator: Option<&str> = None;
    let mut chunk_line = 1usize;
    let mut line_no = 1usize;
    let mut pos = 0usize;
    while pos < input.len() {
        let end = input[pos..].find('\n').map_or(input.len(), |i| pos + i + 1);
        let line = input[pos..end].strip_suffix('\n').unwrap_or(&input[pos..end]);
        if is_separator(line) {
            if pos > start || separator.is_some() {
                chunks.push(Chunk { separator, raw: &input[start..pos], line: chunk_line });
            }
            separator = Some(line);
            start = end;
            chunk_line = line_no + 1;
        }
        pos = end;
        line_no += 1;
    }
    if start < input.len() || separator.is_some() {
        chunks.push(Chunk { separator, raw: &input[start..], line: chunk_line });
    }
    chunks
}

/// The path in a leading `# Source: PATH` comment, if the document starts with one (after other comments or blank
/// lines).
fn source_comment(raw: &str) -> Option<&str> {
    for line in raw.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(rest) = t.strip_prefix("# Source:") {
            return Some(rest.trim());
        }
        if t.starts_with('#') {
            continue;
        }
        return None;
    }
    None
}

/// Serialise an object for a plugin: compact JSON.
pub fn to_json(v: &Value) -> Vec<u8> {
    // Serialising a `Value` cannot fail: keys are strings and floats are finite or written as null by serde_json.
    serde_json::to_vec(v).unwrap_or_default()
}

/// Parse what a plugin returned: JSON or YAML text of exactly one object.
pub fn parse_returned(content: &[u8]) -> Result<Value, String> {
    let text = std::str::from_utf8(content).map_err(|e| format!("the document is not UTF-8: {e}"))?;
    let trimmed = text.trim_start();
    let value: Value = if trimmed.starts_with('{') {
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?
    } else {
        let mut docs = kiln_yaml::from_str_multi(text).map_err(|e| format!("invalid YAML: {e}"))?;
        docs.retain(|d| !d.is_null());
        if docs.len() != 1 {
            return Err(format!("a document must hold exactly one object, this one holds {}", docs.len()));
        }
        docs.pop().unwrap_or_default()
    };
    match value {
        Value::Map(_) => Ok(value),
        other => Err(format!("the document is a {}, not a Kubernetes object (a mapping)", other.type_name())),
    }
}

/// An object ready for output: either an original entry, unchanged, or a new value.
#[derive(Debug, Clone)]
pub enum OutDoc<'a> {
    /// Written back exactly as read.
    Unchanged(&'a Entry),
    /// Written as YAML, with this origin.
    Changed {
        /// Origin for the `# Source:` comment.
        origin: String,
        /// The object.
        value: Value,
    },
}

/// Write documents as a stream. With `helm_style`, every document is preceded by `---` and a `# Source:` comment
/// (as `helm template` prints); otherwise documents are separated by `---` lines (as `kubectl kustomize` prints).
pub fn write_stream(docs: &[OutDoc<'_>], helm_style: bool) -> String {
    let mut out = String::new();
    for (i, d) in docs.iter().enumerate() {
        match d {
            OutDoc::Unchanged(e) => {
                match (&e.separator, helm_style, i) {
                    (Some(sep), _, _) => {
                        out.push_str(sep);
                        out.push('\n');
                    }
                    (None, true, _) => out.push_str("---\n"),
                    (None, false, 0) => {}
                    (None, false, _) => out.push_str("---\n"),
                }
                out.push_str(&e.raw);
                if !e.raw.is_empty() && !e.raw.ends_with('\n') {
                    out.push('\n');
                }
            }
            OutDoc::Changed { origin, value } => {
                if helm_style {
                    let _ = write!(out, "---\n# Source: {origin}\n");
                } else if i > 0 {
                    out.push_str("---\n");
                }
                out.push_str(&kiln_yaml::to_string(value));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_keeps_origins() {
        let s = "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: c/templates/b.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\n";
        let e = parse_stream(s, "stdin").expect("parse");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].origin, "c/templates/a.yaml");
        assert!(e[0].source_comment);
        assert_eq!(e[1].line, 8);
        let out: Vec<OutDoc> = e.iter().map(OutDoc::Unchanged).collect();
        assert_eq!(write_stream(&out, true), s);
    }

    #[test]
    fn plain_stream_round_trips() {
        let s = "apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n";
        let e = parse_stream(s, "in.yaml").expect("parse");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].origin, "in.yaml:1");
        assert_eq!(e[1].origin, "in.yaml:4");
        let out: Vec<OutDoc> = e.iter().map(OutDoc::Unchanged).collect();
        assert_eq!(write_stream(&out, false), s);
    }

    #[test]
    fn comment_only_documents_are_not_objects() {
        let e = parse_stream("---\n# nothing here\n---\nkind: A\n", "x").expect("parse");
        assert!(e[0].object.is_none());
        assert!(e[1].object.is_some());
    }

    #[test]
    fn errors_name_input_and_line() {
        let err = parse_stream("kind: A\n---\n- a\n- b\n", "in.yaml").expect_err("list");
        assert!(err.to_string().starts_with("in.yaml:3:"), "{err}");
        let err = parse_stream("kind: A\n---\nkey: [unclosed\n", "in.yaml").expect_err("bad yaml");
        assert!(err.to_string().contains("in.yaml:3"), "{err}");
    }

    #[test]
    fn returned_documents() {
        assert!(parse_returned(br#"{"kind":"A"}"#).is_ok());
        assert!(parse_returned(b"kind: A\n").is_ok());
        assert!(parse_returned(b"[1]").is_err());
        assert!(parse_returned(b"kind: A\n---\nkind: B\n").is_err());
        assert!(parse_returned(&[0xff, 0xfe]).is_err());
    }
}
