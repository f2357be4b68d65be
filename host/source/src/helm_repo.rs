//! Helm repository indexes: find one chart's entries in `index.yaml` without parsing the rest, and pick a version
//! with Helm's rules.
//!
//! Real indexes are tens of megabytes. Helm parses all of it; kiln only needs `apiVersion` and `entries.<chart>`.
//! The fast path scans lines: in the block-style YAML that `helm repo index` and other generators write, chart
//! names are the keys at one indentation under the top-level `entries:` key, and everything belonging to a chart is
//! indented deeper (YAML requires it of block scalars and multi-line flow scalars alike), so the chart's block can be
//! cut out by comparing indentations and parsed alone. Anything the scanner does not fully understand (flow style,
//! quoted chart keys, tabs, several documents, duplicate keys) falls back to a streaming parse of the whole document
//! that builds only the wanted subtree. JSON indexes are read with `serde_json`, skipping other charts unparsed.
//!
//! Entries are validated as Helm's `loadIndex` does (invalid ones skipped with a warning), sorted newest first, and
//! selected as `IndexFile.Get` does: an exact version string match first, then the first version satisfying the
//! constraint; pre-releases only when the constraint names one or `--devel` is given without a version.

use std::collections::HashMap;

use serde_json::value::RawValue;
use url::Url;

use crate::error::{Error, Result};
use crate::redact::RedactedUrl;
use crate::semver::{Constraints, Version};
use crate::yamlnode::{self, Builder, Node};

/// One version of a chart as the index lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// Chart name from the entry.
    pub name: String,
    /// Version string as written.
    pub version: String,
    /// Download URLs (absolute or relative to the repository).
    pub urls: Vec<String>,
    /// sha256 of the chart archive (hex), when the index gives one.
    pub digest: Option<String>,
}

enum Scan<'a> {
    /// The scanner understood the document.
    Done { api_version: bool, block: Option<&'a str> },
    /// Use the full parser.
    Fallback,
}

fn plain_key(content: &str) -> Option<(&str, &str)> {
    let first = content.as_bytes().first()?;
    if matches!(first, b'"' | b'\'' | b'{' | b'[' | b'?' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`') {
        return None;
    }
    let bytes = content.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ') {
            let key = content[..i].trim_end();
            let rest = content[i + 1..].trim();
            return if key.is_empty() || key.contains(" #") { None } else { Some((key, rest)) };
        }
        if bytes[i] == b'#' && i > 0 && bytes[i - 1] == b' ' {
            return None;
        }
        i += 1;
    }
    None
}

fn strip_comment(rest: &str) -> &str {
    if rest.starts_with('#') {
        return "";
    }
    match rest.find(" #") {
        Some(i) => rest[..i].trim_end(),
        None => rest,
    }
}

fn scan<'a>(text: &'a str, chart: &str) -> Scan<'a> {
    let mut api_version = false;
    let mut in_entries = false;
    let mut key_indent: Option<usize> = None;
    let mut current_is_target = false;
    let mut block_start: Option<usize> = None;
    let mut block: Option<&'a str> = None;
    let mut seen_content = false;
    let mut offset = 0usize;
    let close = |start: &mut Option<usize>, end: usize, block: &mut Option<&'a str>| {
        if let Some(s) = start.take() {
            *block = text.get(s..end);
        }
    };
    let bytes = text.as_bytes();
    while offset < bytes.len() {
        let line_start = offset;
        let line_end = bytes[offset..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| offset + i + 1);
        offset = line_end;
        // Fast path: inside `entries`, a line indented deeper than the chart keys belongs to the current chart.
        if in_entries
            && let Some(k) = key_indent
            && bytes.get(line_start..=line_start + k).is_some_and(|p| p.iter().all(|&b| b == b' '))
        {
            continue;
        }
        let Some(line) = text.get(line_start..line_end) else { return Scan::Fallback };
        let body = line.trim_end_matches(['\n', '\r']);
        if body.starts_with('\t') {
            return Scan::Fallback;
        }
        let indent = body.len() - body.trim_start_matches(' ').len();
        let content = &body[indent..];
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if content.starts_with('\t') {
            // A tab after the indentation can only be content of a deeper scalar; at key level it is unusual.
            if indent == 0 || key_indent.is_some_and(|k| indent <= k) {
                return Scan::Fallback;
            }
            continue;
        }
        if indent == 0 {
            if content == "---" && !seen_content {
                seen_content = true;
                continue;
            }
            seen_content = true;
            if in_entries {
                if current_is_target {
                    close(&mut block_start, line_start, &mut block);
                }
                in_entries = false;
                current_is_target = false;
            }
            if content.starts_with("---") || content.starts_with("...") || content.starts_with('%') {
                return Scan::Fallback;
            }
            let Some((key, rest)) = plain_key(content) else { return Scan::Fallback };
            let rest = strip_comment(rest);
            match key {
                "apiVersion" => {
                    api_version = !matches!(rest, "" | "~" | "null" | "Null" | "NULL" | "''" | "\"\"");
                }
                "entries" => match rest {
                    "" => {
                        if key_indent.is_some() {
                            // A second `entries` key: duplicate keys are the full parser's business.
                            return Scan::Fallback;
                        }
                        in_entries = true;
                    }
                    "{}" => {}
                    _ => return Scan::Fallback,
                },
                _ => {}
            }
            continue;
        }
        seen_content = true;
        if !in_entries {
            continue;
        }
        let k = *key_indent.get_or_insert(indent);
        if indent < k {
            return Scan::Fallback;
        }
        if indent > k {
            continue;
        }
        if content == "-" || content.starts_with("- ") {
            // A sequence written at the key's own indentation belongs to the current chart.
            continue;
        }
        let Some((key, rest)) = plain_key(content) else { return Scan::Fallback };
        if current_is_target {
            close(&mut block_start, line_start, &mut block);
            current_is_target = false;
        }
        if key == chart {
            if block.is_some() {
                return Scan::Fallback;
            }
            if !strip_comment(rest).is_empty() {
                // Flow or scalar value on the key line: let the parser handle it.
                return Scan::Fallback;
            }
            current_is_target = true;
            block_start = Some(line_start);
        }
    }
    if current_is_target {
        close(&mut block_start, text.len(), &mut block);
    }
    Scan::Done { api_version, block }
}

/// Walks the whole document with the streaming parser, building only `apiVersion` and `entries.<chart>`.
fn full_parse(text: &str, chart: &str) -> std::result::Result<(bool, Option<Node>), String> {
    use saphyr_parser::Event;
    let mut b = Builder::new(text);
    let mut root = None;
    while root.is_none() {
        match b.next().map_err(|e| e.0)?.0 {
            Event::StreamStart | Event::DocumentStart(_) => {}
            Event::StreamEnd | Event::DocumentEnd => return Ok((false, None)),
            ev => root = Some(ev),
        }
    }
    let Some(Event::MappingStart(..)) = root else { return Err("the index is not a YAML mapping".into()) };
    let (mut api, mut found) = (false, None);
    loop {
        let (ev, _) = b.next().map_err(|e| e.0)?;
        if matches!(ev, Event::MappingEnd) {
            break;
        }
        let key = b.build(ev, 1).map_err(|e| e.0)?;
        let (val, _) = b.next().map_err(|e| e.0)?;
        match key.as_str() {
            Some("apiVersion") => api = b.build(val, 1).map_err(|e| e.0)?.as_str().is_some_and(|s| !s.is_empty()),
            Some("entries") => match val {
                Event::MappingStart(..) => loop {
                    let (ev, _) = b.next().map_err(|e| e.0)?;
                    if matches!(ev, Event::MappingEnd) {
                        break;
                    }
                    let name = b.build(ev, 2).map_err(|e| e.0)?;
                    let (v, _) = b.next().map_err(|e| e.0)?;
                    if name.as_str() == Some(chart) {
                        if found.is_some() {
                            return Err(format!("duplicate key {chart:?} in entries"));
                        }
                        found = Some(b.build(v, 2).map_err(|e| e.0)?);
                    } else {
                        b.skip(&v).map_err(|e| e.0)?;
                    }
                },
                other => b.skip(&other).map_err(|e| e.0)?,
            },
            _ => b.skip(&val).map_err(|e| e.0)?,
        }
    }
    Ok((api, found))
}

fn json_to_node(v: serde_json::Value) -> Node {
    match v {
        serde_json::Value::Null => Node::Null,
        serde_json::Value::Bool(b) => Node::Scalar(b.to_string()),
        serde_json::Value::Number(n) => Node::Scalar(n.to_string()),
        serde_json::Value::String(s) => Node::Scalar(s),
        serde_json::Value::Array(a) => Node::Seq(a.into_iter().map(json_to_node).collect()),
        serde_json::Value::Object(o) => {
            Node::Map(o.into_iter().map(|(k, v)| (Node::Scalar(k), json_to_node(v))).collect())
        }
    }
}

#[derive(serde::Deserialize)]
struct JsonIndex<'a> {
    #[serde(rename = "apiVersion", default)]
    api_version: Option<String>,
    #[serde(borrow, default)]
    entries: Option<HashMap<String, &'a RawValue>>,
}

/// Finds the entries of `chart` in an index document (YAML or JSON). Fails like Helm on an empty index or one
/// without `apiVersion`; returns an empty list when the chart is not listed.
pub fn chart_entries(index: &[u8], chart: &str, url: &Url) -> Result<Vec<IndexEntry>> {
    let err = |reason: String| Error::Index { url: RedactedUrl::new(url), reason };
    if index.iter().all(u8::is_ascii_whitespace) {
        return Err(err("empty index".into()));
    }
    let first = index.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let (api, node) = if first == Some(b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(index).is_ok() {
        let parsed: JsonIndex<'_> = serde_json::from_slice(index).map_err(|e| err(format!("invalid JSON: {e}")))?;
        let node = match parsed.entries.as_ref().and_then(|m| m.get(chart)) {
            Some(raw) => {
                Some(json_to_node(serde_json::from_str(raw.get()).map_err(|e| err(format!("invalid JSON: {e}")))?))
            }
            None => None,
        };
        (parsed.api_version.is_some_and(|v| !v.is_empty()), node)
    } else {
        let text = std::str::from_utf8(index).map_err(|_| err("index is not UTF-8".into()))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let fast = match scan(text, chart) {
            Scan::Done { api_version, block: None } => Some((api_version, None)),
            Scan::Done { api_version, block: Some(block) } => match yamlnode::parse(block) {
                Ok(n) => n.get(chart).cloned().map(|n| (api_version, Some(n))),
                Err(_) => None,
            },
            Scan::Fallback => None,
        };
        match fast {
            Some(r) => r,
            None => full_parse(text, chart).map_err(err)?,
        }
    };
    if !api {
        return Err(err("no API version specified".into()));
    }
    let Some(node) = node else { return Ok(Vec::new()) };
    let items = match node {
        Node::Seq(items) => items,
        Node::Null => Vec::new(),
        _ => return Err(err(format!("entries.{chart} is not a list"))),
    };
    Ok(items.iter().filter_map(|n| validate_entry(n, chart, url)).collect())
}

/// Helm's `sanitizeString`: whitespace becomes a space, other non-printable characters are dropped.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

fn validate_entry(n: &Node, chart: &str, url: &Url) -> Option<IndexEntry> {
    let skip = |why: &str| {
        tracing::warn!("skipping invalid entry for chart {chart:?} in {}: {why}", RedactedUrl::new(url));
        None
    };
    if *n == Node::Null {
        return skip("empty entry");
    }
    let text = |k: &str| n.get(k).and_then(Node::as_str).unwrap_or("").to_owned();
    let name = sanitize(&text("name"));
    let version = text("version");
    if name.is_empty() {
        return skip("chart.metadata.name is required");
    }
    if name == "." || name == ".." || name.contains('/') {
        return skip("chart.metadata.name is invalid");
    }
    if version.is_empty() {
        return skip("chart.metadata.version is required");
    }
    if Version::parse(&version).is_err() {
        return skip("chart.metadata.version is invalid");
    }
    if !matches!(text("type").as_str(), "" | "application" | "library") {
        return skip("chart.metadata.type must be application or library");
    }
    if n.get("maintainers").and_then(Node::as_seq).is_some_and(|m| m.contains(&Node::Null)) {
        return skip("maintainers must not contain empty or null nodes");
    }
    if let Some(deps) = n.get("dependencies").and_then(Node::as_seq) {
        for d in deps {
            if *d == Node::Null {
                return skip("dependencies must not contain empty or null nodes");
            }
            let alias = d.get("alias").and_then(Node::as_str).unwrap_or("");
            if !alias.is_empty() && !alias.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
                return skip("dependency has disallowed characters in the alias");
            }
        }
    }
    let urls = n
        .get("urls")
        .and_then(Node::as_seq)
        .map(|u| u.iter().filter_map(Node::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let digest = n.get("digest").and_then(Node::as_str).map(str::to_owned).filter(|d| !d.is_empty());
    Some(IndexEntry { name, version, urls, digest })
}

/// Picks the entry Helm's `IndexFile.Get` would pick for `version` (`None`: the latest release; with `devel`, the
/// latest version including pre-releases).
pub fn select(entries: &[IndexEntry], chart: &str, version: Option<&str>, devel: bool) -> Result<IndexEntry> {
    if entries.is_empty() {
        return Err(Error::NotFound(format!("chart {chart:?} not found in the repository index")));
    }
    let mut sorted: Vec<(Version, &IndexEntry)> =
        entries.iter().filter_map(|e| Version::parse(&e.version).ok().map(|v| (v, e))).collect();
    crate::semver::sort_descending(&mut sorted);
    let requested = match (version, devel) {
        (Some(v), _) => Some(v),
        (None, true) => Some(">0.0.0-0"),
        (None, false) => None,
    };
    let constraint_text = requested.unwrap_or("*");
    let constraints = Constraints::parse(constraint_text)
        .map_err(|e| Error::Constraint { constraint: constraint_text.to_owned(), reason: e.to_string() })?;
    if let Some(v) = requested
        && let Some((_, e)) = sorted.iter().find(|(_, e)| e.version == v)
    {
        return Ok((*e).clone());
    }
    sorted
        .iter()
        .find(|(v, _)| constraints.matches(v))
        .map(|(_, e)| (*e).clone())
        .ok_or_else(|| Error::NotFound(format!("no chart version found for {chart}-{}", version.unwrap_or(""))))
}

/// Resolves a chart URL from the index against the repository URL as Helm's `ResolveReferenceURL` does (the
/// repository path gets a trailing slash; the repository's query string is kept).
pub fn resolve_chart_url(repo: &Url, chart_url: &str) -> Result<Url> {
    if let Ok(abs) = Url::parse(chart_url) {
        return Ok(abs);
    }
    let mut base = repo.clone();
    let path = format!("{}/", base.path().trim_end_matches('/'));
    base.set_path(&path);
    let query = base.query().map(str::to_owned);
    let mut resolved = base.join(chart_url).map_err(|e| Error::Index {
        url: RedactedUrl::new(repo),
        reason: format!("bad chart URL {chart_url:?}: {e}"),
    })?;
    resolved.set_query(query.as_deref());
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "apiVersion: v1\nentries:\n  alpha:\n  - apiVersion: v2\n    name: alpha\n    version: 1.0.0\n    urls:\n    - alpha-1.0.0.tgz\n    description: |\n      multi\n\n      line\n  app:\n  - name: app\n    version: 1.2.0\n    digest: abc\n    urls:\n    - charts/app-1.2.0.tgz\n  - name: app\n    version: 1.10.0-rc.1\n    urls: [app-1.10.0-rc.1.tgz]\n  - name: app\n    version: 1.3.0\n    urls:\n    - https://cdn.test/app-1.3.0.tgz\n  - name: app\n    version: not-semver\n  - null\n  zeta:\n  - name: zeta\n    version: 0.1.0\ngenerated: \"2024-01-01T00:00:00Z\"\n";

    fn url() -> Url {
        Url::parse("https://repo.test/charts?tok=1").unwrap()
    }

    #[test]
    fn fast_path_finds_only_the_chart() {
        let Scan::Done { api_version, block: Some(block) } = scan(INDEX, "app") else { panic!("fallback") };
        assert!(api_version);
        assert!(block.starts_with("  app:\n") && block.ends_with("version: 1.3.0\n    urls:\n    - https://cdn.test/app-1.3.0.tgz\n  - name: app\n    version: not-semver\n  - null\n"), "{block}");
        let e = chart_entries(INDEX.as_bytes(), "app", &url()).unwrap();
        assert_eq!(e.len(), 3, "invalid entries skipped");
        assert!(chart_entries(INDEX.as_bytes(), "missing", &url()).unwrap().is_empty());
    }

    #[test]
    fn fast_and_full_parse_agree() {
        for chart in ["alpha", "app", "zeta", "nope"] {
            let fast = chart_entries(INDEX.as_bytes(), chart, &url()).unwrap();
            let (api, node) = full_parse(INDEX, chart).unwrap();
            assert!(api);
            let full: Vec<IndexEntry> = node
                .and_then(|n| n.as_seq().map(|s| s.iter().filter_map(|n| validate_entry(n, chart, &url())).collect()))
                .unwrap_or_default();
            assert_eq!(fast, full, "{chart}");
        }
        // A flow-style index goes through the full parser and gives the same answer.
        let flow = "{apiVersion: v1, entries: {app: [{name: app, version: 1.2.0, urls: [a.tgz]}]}}";
        let e = chart_entries(flow.as_bytes(), "app", &url()).unwrap();
        assert_eq!(e[0].version, "1.2.0");
        let json = r#"{"apiVersion":"v1","entries":{"x":[{"name":"x","version":"9.9.9"}],"app":[{"name":"app","version":"2.0.0","urls":["a.tgz"]}]}}"#;
        assert_eq!(chart_entries(json.as_bytes(), "app", &url()).unwrap()[0].version, "2.0.0");
        assert!(chart_entries(b"entries: {}\n", "app", &url()).is_err(), "no apiVersion");
        assert!(chart_entries(b"  \n", "app", &url()).is_err(), "empty");
    }

    #[test]
    fn selection_follows_helm() {
        let e = chart_entries(INDEX.as_bytes(), "app", &url()).unwrap();
        assert_eq!(select(&e, "app", None, false).unwrap().version, "1.3.0");
        assert_eq!(select(&e, "app", None, true).unwrap().version, "1.10.0-rc.1");
        assert_eq!(select(&e, "app", Some("~1.2"), false).unwrap().version, "1.2.0");
        assert_eq!(select(&e, "app", Some("1.10.0-rc.1"), false).unwrap().version, "1.10.0-rc.1");
        assert_eq!(select(&e, "app", Some(">=1.0.0-0"), false).unwrap().version, "1.10.0-rc.1");
        assert!(matches!(select(&e, "app", Some("^2"), false), Err(Error::NotFound(_))));
    }

    #[test]
    fn chart_urls_resolve_like_helm() {
        let u = url();
        assert_eq!(
            resolve_chart_url(&u, "charts/app-1.2.0.tgz").unwrap().as_str(),
            "https://repo.test/charts/charts/app-1.2.0.tgz?tok=1"
        );
        assert_eq!(resolve_chart_url(&u, "/abs/app.tgz").unwrap().as_str(), "https://repo.test/abs/app.tgz?tok=1");
        assert_eq!(resolve_chart_url(&u, "https://cdn.test/a.tgz").unwrap().as_str(), "https://cdn.test/a.tgz");
    }
}
