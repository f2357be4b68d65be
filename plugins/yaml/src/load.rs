//! Loading: YAML text → [`Value`], with the decoding rules of go-yaml as the reference tools use it.
//!
//! The event parser is `saphyr-parser` (pure Rust, YAML 1.2 syntax). On top of its events this module composes
//! values iteratively (no recursion, so deeply nested input cannot overflow the stack), resolves plain scalars
//! ([`crate::resolve`]), applies explicit tags, expands aliases with go-yaml's alias-ratio guard against
//! "billion laughs" documents, applies merge keys (`<<`) and turns mapping keys into strings the way the reference
//! pipeline does.
//!
//! Two presets exist, see [`LoadOptions`]: [`LoadOptions::helm`] (the default: go-yaml v2 through
//! `sigs.k8s.io/yaml`, as Helm reads values files, `Chart.yaml`, `fromYaml` input and rendered manifests) and
//! [`LoadOptions::kustomize`] (go-yaml v3 through kyaml's `RNode.MarshalJSON`, as `kubectl kustomize` reads
//! resources).

use crate::diag;
use crate::error::{Error, ErrorKind};
use crate::gofmt;
use crate::resolve::{self, Flavor, Resolved};
use crate::value::{Map, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use std::borrow::Cow;

/// The typing rules for plain scalars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Schema {
    /// go-yaml v2 (YAML 1.1): `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `0755` is octal, `1_000` is 1000.
    #[default]
    Yaml11,
    /// go-yaml v3 (YAML 1.2 core schema, but `0755` is still octal): only `true`/`false` spellings are
    /// booleans; timestamps decode to Go `time.Time` and so come out in RFC 3339 form after the JSON step.
    Yaml12,
}

/// What to do when one mapping holds the same key twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DuplicateKeys {
    /// The last value wins (the key keeps its first position). go-yaml v2 / `sigs.k8s.io/yaml.Unmarshal`.
    #[default]
    LastWins,
    /// Error `mapping key "a" already defined at line 6` (go-yaml v3's default, so kustomize).
    Error,
}

/// How merge keys (`<<`) combine with the mapping's own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MergeKeys {
    /// go-yaml v2: merged entries are set at the position of `<<`, overwriting keys written before it; later keys
    /// overwrite merged ones; in a list of maps the earlier map wins; several `<<` keys are allowed.
    #[default]
    InOrder,
    /// YAML merge-key spec as kustomize applies it: the mapping's own keys always win, earlier maps of a list win
    /// over later ones, and a second `<<` in one mapping is an error (`duplicate merge key`).
    OwnKeysWin,
}

/// How mapping keys that are not strings are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NonStringKeys {
    /// Convert to strings as `sigs.k8s.io/yaml`'s `YAMLToJSON` does: ints in decimal, floats with
    /// `FormatFloat(f, 'g', -1, 32)` (`.inf`, `-.inf`, `.nan` for the non-finite), booleans as `true`/`false`.
    /// Null keys and integers above `i64::MAX` are errors, as they are there.
    #[default]
    Stringify,
    /// Any key that does not resolve to a string is an error (kyaml's JSON step rejects such mappings).
    Error,
}

/// Loader configuration. [`LoadOptions::default`] is [`LoadOptions::helm`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// Typing of plain scalars.
    pub schema: Schema,
    /// Duplicate keys in one mapping.
    pub duplicate_keys: DuplicateKeys,
    /// Merge-key semantics.
    pub merge_keys: MergeKeys,
    /// Non-string mapping keys.
    pub non_string_keys: NonStringKeys,
    /// Reject `.inf`, `-.inf` and `.nan` values, as every JSON round trip of the reference tools does
    /// (`json: unsupported value: +Inf`).
    pub reject_non_finite: bool,
    /// Maximum nesting of sequences and mappings (go-yaml: `exceeded max depth of 10000`).
    pub max_depth: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions::helm()
    }
}

impl LoadOptions {
    /// go-yaml v2 through `sigs.k8s.io/yaml` (Helm values, `Chart.yaml`, `fromYaml`, rendered manifests).
    pub fn helm() -> Self {
        LoadOptions {
            schema: Schema::Yaml11,
            duplicate_keys: DuplicateKeys::LastWins,
            merge_keys: MergeKeys::InOrder,
            non_string_keys: NonStringKeys::Stringify,
            reject_non_finite: true,
            max_depth: 10_000,
        }
    }

    /// go-yaml v3 through kyaml's JSON conversion (`kubectl kustomize` resources).
    pub fn kustomize() -> Self {
        LoadOptions {
            schema: Schema::Yaml12,
            duplicate_keys: DuplicateKeys::Error,
            merge_keys: MergeKeys::OwnKeysWin,
            non_string_keys: NonStringKeys::Error,
            reject_non_finite: true,
            max_depth: 10_000,
        }
    }

    /// Plain go-yaml v2 decoding with nothing rejected for JSON's sake (non-finite floats are kept).
    pub fn lenient() -> Self {
        LoadOptions { reject_non_finite: false, ..LoadOptions::helm() }
    }

    fn flavor(&self) -> Flavor {
        match self.schema {
            Schema::Yaml11 => Flavor::V2,
            Schema::Yaml12 => Flavor::V3,
        }
    }
}

/// Load the first document of `src` (later documents are ignored, as go-yaml's `Unmarshal` does). Empty input or a
/// document of only comments gives [`Value::Null`].
pub fn load_one(src: &str, opts: &LoadOptions) -> Result<Value, Error> {
    with_repairs(src, |src| {
        let mut loader = Loader::new(src, opts);
        let doc = loader.next_document();
        (doc.map(Option::unwrap_or_default), loader.repair)
    })
}

/// Load every document of a `---`-separated stream. An empty stream gives an empty vector; an empty document
/// (`---` followed by nothing) gives [`Value::Null`].
pub fn load_all(src: &str, opts: &LoadOptions) -> Result<Vec<Value>, Error> {
    with_repairs(src, |src| {
        let mut loader = Loader::new(src, opts);
        let mut docs = Vec::new();
        loop {
            match loader.next_document() {
                Ok(Some(doc)) => docs.push(doc),
                Ok(None) => return (Ok(docs), None),
                Err(e) => return (Err(e), loader.repair),
            }
        }
    })
}

/// A change to the source that makes saphyr read it as libyaml does, without changing its meaning.
pub(crate) enum Repair {
    /// Tabs (byte offsets) that libyaml accepts as separators but saphyr refuses: each becomes a space.
    Tabs(Vec<usize>),
    /// Spaces to insert at byte offsets (ascending): lines inside a flow collection indented less than the block
    /// that holds the collection (libyaml ignores indentation inside flow collections; saphyr applies YAML 1.2's
    /// rule).
    Indent(Vec<(usize, usize)>),
}

/// Run `parse` on the source, libyaml-compatible: NEL read as a line break, directives checked, and the
/// differences [`Repair`] lists fixed one parse error at a time.
fn with_repairs<T>(src: &str, parse: impl Fn(&str) -> (Result<T, Error>, Option<Repair>)) -> Result<T, Error> {
    /// Enough for hand-written files with a few such places; beyond that the first error stands.
    const MAX_REPAIRS: usize = 64;
    diag::check_directives(src)?;
    let mut text = normalize_breaks(src);
    let mut first_error = None;
    for _ in 0..=MAX_REPAIRS {
        let (result, repair) = parse(&text);
        match (result, repair) {
            (Err(e), Some(repair)) => {
                first_error.get_or_insert(e);
                let mut owned = text.into_owned();
                match repair {
                    Repair::Tabs(tabs) => {
                        let mut bytes = owned.into_bytes();
                        for t in tabs {
                            if let Some(b) = bytes.get_mut(t) {
                                *b = b' ';
                            }
                        }
                        // Only ASCII tabs were replaced by ASCII spaces, so the text stays UTF-8.
                        owned = String::from_utf8_lossy(&bytes).into_owned();
                    }
                    Repair::Indent(edits) => {
                        // From the end, so that earlier offsets stay valid.
                        for &(at, spaces) in edits.iter().rev() {
                            if owned.is_char_boundary(at) {
                                owned.insert_str(at, &" ".repeat(spaces));
                            }
                        }
                    }
                }
                text = Cow::Owned(owned);
            }
            (result, _) => return result,
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Err(Error::new(ErrorKind::Syntax, "too many repairs", 0, 0)),
    }
}

/// libyaml reads NEL (U+0085) as a line break and turns it into a line feed everywhere; YAML 1.2 parsers read it
/// as content. Replacing it up front gives libyaml's reading (positions are unchanged: one character for one).
fn normalize_breaks(src: &str) -> Cow<'_, str> {
    if src.contains('\u{85}') { Cow::Owned(src.replace('\u{85}', "\n")) } else { Cow::Borrowed(src) }
}

/// The state of one anchor (saphyr numbers anchors from 1 in order of appearance).
#[derive(Default)]
enum Anchor {
    /// Not seen yet.
    #[default]
    Unknown,
    /// On a collection that is still being composed.
    Open,
    /// A finished value, with its node count (go-yaml counts decoded nodes for its alias guard).
    Done { value: Value, nodes: u64 },
}

/// What a mapping frame holds before its next value arrives.
enum PendingKey {
    /// A regular key, with the position of its node (for duplicate-key messages).
    Key { key: String, line: usize },
    /// The merge key `<<`.
    Merge { line: usize, col: usize },
    /// A key that cannot become a string; the error is built once its value is known.
    Bad(BadKey),
    /// A key that already produced an error; its value is dropped.
    Skip,
}

// Frames live on a stack as deep as the document, so the size of the mapping variant costs nothing worth an extra
// allocation per mapping.
#[allow(clippy::large_enum_variant)]
enum FrameKind {
    Seq(Vec<Value>),
    Map {
        map: Map,
        pending: Option<PendingKey>,
        /// Lines where each key was first defined (only tracked for [`DuplicateKeys::Error`]).
        key_lines: Vec<usize>,
        /// Keys that came from merges and may still be overridden ([`MergeKeys::OwnKeysWin`]).
        merged: Option<indexmap::IndexSet<String>>,
        seen_merge: bool,
    },
}

struct Frame {
    kind: FrameKind,
    anchor: usize,
    nodes: u64,
}

/// A key that is not a string and cannot become one (null, or an integer above `i64::MAX`), waiting for its value
/// to complete the error message as `sigs.k8s.io/yaml` words it.
struct BadKey {
    key: Value,
    line: usize,
    col: usize,
}

/// A finished node on its way to its parent.
struct Node {
    value: Value,
    nodes: u64,
    /// Plain, untagged `<<` (or tagged `!!merge`): a merge key when used as a key.
    is_merge: bool,
    line: usize,
    col: usize,
}

struct Loader<'a> {
    src: &'a str,
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    opts: &'a LoadOptions,
    flavor: Flavor,
    anchors: Vec<Anchor>,
    stack: Vec<Frame>,
    decode_count: u64,
    alias_count: u64,
    finished: bool,
    /// A NaN or infinite float was decoded in the current document (checked on the finished tree, because a later
    /// duplicate key may drop it, as it would be before Go's JSON step).
    saw_non_finite: bool,
    /// The first decoding error of the document. go-yaml parses a whole document before decoding it, so a syntax
    /// error anywhere in the document wins over a decoding error; decoding errors are therefore kept until the
    /// document's events are all read.
    deferred: Option<Error>,
    /// Duplicate-key reports (go-yaml v3 collects them all).
    duplicates: Vec<String>,
    /// The first key that cannot be a JSON key (`sigs.k8s.io/yaml` converts after decoding, so this comes last).
    key_error: Option<Error>,
    /// What to change before parsing again (see [`Repair`]), set with a syntax error.
    repair: Option<Repair>,
    /// Character index where each open collection's event starts (a `[` or `{` for a flow collection).
    open: Vec<usize>,
    /// Byte offset of each character, built only when the source contains `\/` (an escape YAML 1.2 accepts but
    /// libyaml does not), to find such escapes inside double-quoted scalars.
    char_offsets: Option<Vec<usize>>,
}

impl<'a> Loader<'a> {
    fn new(src: &'a str, opts: &'a LoadOptions) -> Self {
        Loader {
            src,
            parser: Parser::new_from_str(src),
            opts,
            flavor: opts.flavor(),
            anchors: Vec::new(),
            stack: Vec::new(),
            decode_count: 0,
            alias_count: 0,
            finished: false,
            saw_non_finite: false,
            deferred: None,
            duplicates: Vec::new(),
            key_error: None,
            repair: None,
            open: Vec::new(),
            char_offsets: memchr::memmem::find(src.as_bytes(), b"\\/")
                .map(|_| src.char_indices().map(|(b, _)| b).collect()),
        }
    }

    /// libyaml refuses the `\/` escape in double-quoted scalars ("found unknown escape character").
    fn check_escapes(&self, span: &Span) -> Result<(), Error> {
        let Some(offsets) = &self.char_offsets else {
            return Ok(());
        };
        let byte = |i: usize| offsets.get(i).copied().unwrap_or(self.src.len());
        let (start, end) = (byte(span.start.index()), byte(span.end.index()));
        let Some(text) = self.src.get(start..end) else {
            return Ok(());
        };
        let mut chars = text.char_indices();
        while let Some((i, c)) = chars.next() {
            if c == '\\'
                && let Some((_, next)) = chars.next()
                && next == '/'
            {
                let before = self.src.get(..start + i).unwrap_or("");
                let line = 1 + before.matches('\n').count();
                let col = 1 + before.rsplit('\n').next().map_or(0, |l| l.chars().count());
                let go_line = if line > 1 { line } else { 0 };
                return Err(Error::syntax("found unknown escape character", line, col, go_line));
            }
        }
        Ok(())
    }

    fn next_event(&mut self) -> Result<(Event<'a>, Span), Error> {
        match self.parser.next_event() {
            Some(Ok(ev)) => {
                match ev.0 {
                    Event::SequenceStart(..) | Event::MappingStart(..) => self.open.push(ev.1.start.index()),
                    Event::SequenceEnd | Event::MappingEnd => {
                        self.open.pop();
                    }
                    _ => {}
                }
                Ok(ev)
            }
            Some(Err(e)) => {
                self.repair =
                    diag::separator_tabs(self.src, e.info(), e.marker().index()).map(Repair::Tabs).or_else(|| {
                        diag::flow_indentation(self.src, e.info(), e.marker().index(), &self.open).map(Repair::Indent)
                    });
                Err(diag::syntax_error(self.src, e.info(), *e.marker()))
            }
            None => Ok((Event::StreamEnd, Span::default())),
        }
    }

    fn defer(&mut self, e: Error) {
        if self.deferred.is_none() {
            self.deferred = Some(e);
        }
    }

    /// The next document, or `None` at the end of the stream.
    fn next_document(&mut self) -> Result<Option<Value>, Error> {
        if self.finished {
            return Ok(None);
        }
        loop {
            let (ev, span) = self.next_event()?;
            match ev {
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
                Event::StreamEnd => {
                    self.finished = true;
                    return Ok(None);
                }
                Event::DocumentStart(_) => break,
                _ => {
                    let line = span.start.line();
                    let message = "did not find expected <document start>";
                    return Err(Error::syntax(message, line, span.start.col() + 1, line.saturating_sub(1)));
                }
            }
        }
        // Anchors and counters are per document.
        self.anchors.clear();
        self.decode_count = 0;
        self.alias_count = 0;
        self.saw_non_finite = false;
        self.deferred = None;
        self.duplicates.clear();
        self.key_error = None;
        let root = self.compose()?;
        loop {
            let (ev, span) = self.next_event()?;
            match ev {
                Event::DocumentEnd => break,
                Event::StreamEnd => {
                    self.finished = true;
                    break;
                }
                Event::Nothing => {}
                _ => {
                    let line = span.start.line();
                    let message = "did not find expected <document start>";
                    return Err(Error::syntax(message, line, span.start.col() + 1, line.saturating_sub(1)));
                }
            }
        }
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        if !self.duplicates.is_empty() {
            let first_line = self.duplicates.first().map_or(0, |_| 0);
            let message = format!("unmarshal errors:\n  {}", self.duplicates.join("\n  "));
            return Err(Error::new(ErrorKind::DuplicateKey, message, first_line, 0));
        }
        if let Some(e) = self.key_error.take() {
            return Err(e);
        }
        if self.opts.reject_non_finite
            && self.saw_non_finite
            && let Some(f) = find_non_finite(&root)
        {
            return Err(non_finite_error(f));
        }
        Ok(Some(root))
    }

    /// Compose one node tree (the document root) from the event stream.
    fn compose(&mut self) -> Result<Value, Error> {
        loop {
            let (ev, span) = self.next_event()?;
            let line = span.start.line();
            let col = span.start.col() + 1;
            let node = match ev {
                Event::Scalar(text, style, anchor, tag) => {
                    self.count_node(line, col)?;
                    if style == ScalarStyle::DoubleQuoted {
                        self.check_escapes(&span)?;
                    }
                    let (value, is_merge) = match self.scalar(text, style, tag.as_deref(), line, col) {
                        Ok(v) => v,
                        Err(e) => {
                            self.defer(e);
                            (Value::Null, false)
                        }
                    };
                    if let Value::Float(f) = value
                        && !f.is_finite()
                    {
                        self.saw_non_finite = true;
                    }
                    self.remember(anchor, &value, 1);
                    Node { value, nodes: 1, is_merge, line, col }
                }
                Event::Alias(id) => self.alias(id, &span, line, col)?,
                Event::SequenceStart(anchor, _) => {
                    self.count_node(line, col)?;
                    self.push(FrameKind::Seq(Vec::new()), anchor, line, col)?;
                    continue;
                }
                Event::MappingStart(anchor, _) => {
                    self.count_node(line, col)?;
                    let kind = FrameKind::Map {
                        map: Map::new(),
                        pending: None,
                        key_lines: Vec::new(),
                        merged: None,
                        seen_merge: false,
                    };
                    self.push(kind, anchor, line, col)?;
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = self.stack.pop() else {
                        return Err(Error::syntax("did not find expected node content", line, col, line));
                    };
                    let value = match frame.kind {
                        FrameKind::Seq(items) => Value::Seq(items),
                        FrameKind::Map { map, .. } => Value::Map(map),
                    };
                    self.remember(frame.anchor, &value, frame.nodes);
                    Node { value, nodes: frame.nodes, is_merge: false, line, col }
                }
                Event::StreamEnd | Event::DocumentEnd | Event::DocumentStart(_) => {
                    let go_line = line.saturating_sub(1);
                    return Err(Error::syntax("did not find expected node content", line, col, go_line));
                }
                Event::StreamStart | Event::Nothing => continue,
            };
            if let Some(root) = self.attach(node) {
                return Ok(root);
            }
        }
    }

    /// Expand an alias (a copy of the anchored value), counting it for the alias-ratio guard.
    fn alias(&mut self, id: usize, span: &Span, line: usize, col: usize) -> Result<Node, Error> {
        let nodes = match self.anchors.get(id) {
            Some(Anchor::Done { nodes, .. }) => *nodes,
            state => {
                let name = diag::alias_name(self.src, span.start.index());
                let message = if matches!(state, Some(Anchor::Open)) {
                    format!("anchor '{name}' value contains itself")
                } else {
                    format!("unknown anchor '{name}' referenced")
                };
                self.defer(Error::new(ErrorKind::Alias, message, line, col));
                0
            }
        };
        self.decode_count += 1 + nodes;
        self.alias_count += nodes;
        self.check_alias_ratio(line, col)?;
        let value = match self.anchors.get(id) {
            Some(Anchor::Done { value, .. }) => value.clone(),
            _ => Value::Null,
        };
        Ok(Node { value, nodes, is_merge: false, line, col })
    }

    fn push(&mut self, kind: FrameKind, anchor: usize, line: usize, col: usize) -> Result<(), Error> {
        if self.stack.len() >= self.opts.max_depth {
            let message = format!("exceeded max depth of {}", self.opts.max_depth);
            return Err(Error::new(ErrorKind::Limit, message, line, col));
        }
        if anchor > 0 {
            // Mark the anchor open so an alias to this unfinished node is reported as self-containment.
            self.set_anchor(anchor, Anchor::Open);
        }
        self.stack.push(Frame { kind, anchor, nodes: 1 });
        Ok(())
    }

    /// go-yaml counts every decoded node; aliases count their whole target again.
    fn count_node(&mut self, line: usize, col: usize) -> Result<(), Error> {
        self.decode_count += 1;
        self.check_alias_ratio(line, col)
    }

    fn check_alias_ratio(&self, line: usize, col: usize) -> Result<(), Error> {
        // go-yaml v2.4 / v3: allow 99% alias-driven nodes up to 400k decodes, scaling down to 10% at 4M.
        const LOW: f64 = 400_000.0;
        const HIGH: f64 = 4_000_000.0;
        if self.alias_count <= 100 || self.decode_count <= 1000 {
            return Ok(());
        }
        let decodes = self.decode_count as f64;
        let allowed = if decodes <= LOW {
            0.99
        } else if decodes >= HIGH {
            0.10
        } else {
            0.99 - 0.89 * ((decodes - LOW) / (HIGH - LOW))
        };
        if (self.alias_count as f64) / decodes > allowed {
            return Err(Error::new(ErrorKind::Limit, "document contains excessive aliasing", line, col));
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, value: &Value, nodes: u64) {
        if anchor > 0 {
            let value = value.clone();
            self.set_anchor(anchor, Anchor::Done { value, nodes });
        }
    }

    fn set_anchor(&mut self, id: usize, state: Anchor) {
        if self.anchors.len() <= id {
            self.anchors.resize_with(id + 1, Anchor::default);
        }
        if let Some(slot) = self.anchors.get_mut(id) {
            *slot = state;
        }
    }

    /// Give a finished node to its parent; returns the root when the document is complete.
    fn attach(&mut self, node: Node) -> Option<Value> {
        let opts = self.opts;
        let Some(frame) = self.stack.last_mut() else {
            return Some(node.value);
        };
        frame.nodes += node.nodes;
        let mut failure: Option<Failure> = None;
        match &mut frame.kind {
            FrameKind::Seq(items) => items.push(node.value),
            FrameKind::Map { map, pending, key_lines, merged, seen_merge } => match pending.take() {
                None if node.is_merge => {
                    if opts.merge_keys == MergeKeys::OwnKeysWin && *seen_merge {
                        let e = Error::new(ErrorKind::Merge, "duplicate merge key", node.line, node.col);
                        failure = Some(Failure::Decode(e));
                        *pending = Some(PendingKey::Skip);
                    } else {
                        *seen_merge = true;
                        *pending = Some(PendingKey::Merge { line: node.line, col: node.col });
                    }
                }
                None => {
                    *pending = Some(match key_string(node.value, opts, node.line, node.col) {
                        Ok(Ok(key)) => PendingKey::Key { key, line: node.line },
                        Ok(Err(bad)) => PendingKey::Bad(bad),
                        Err(e) => {
                            failure = Some(Failure::Decode(e));
                            PendingKey::Skip
                        }
                    });
                }
                Some(PendingKey::Key { key, line }) => {
                    if let Err(msg) = insert_entry(map, key_lines, merged.as_mut(), opts, key, line, node.value) {
                        failure = Some(Failure::Duplicate(msg));
                    }
                }
                Some(PendingKey::Merge { line, col }) => {
                    if let Err(e) = apply_merge(map, key_lines, merged, opts, node.value, line, col) {
                        failure = Some(Failure::Decode(e));
                    }
                }
                Some(PendingKey::Bad(bad)) => failure = Some(Failure::Key(bad.error(&node.value))),
                Some(PendingKey::Skip) => {}
            },
        }
        match failure {
            Some(Failure::Decode(e)) => self.defer(e),
            Some(Failure::Duplicate(msg)) => self.duplicates.push(msg),
            Some(Failure::Key(e)) if self.key_error.is_none() => self.key_error = Some(e),
            Some(Failure::Key(_)) | None => {}
        }
        None
    }

    /// Decode one scalar: returns the value and whether it is a merge key candidate.
    fn scalar(
        &self,
        text: Cow<'a, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        line: usize,
        col: usize,
    ) -> Result<(Value, bool), Error> {
        let plain = style == ScalarStyle::Plain;
        let Some(tag) = tag else {
            if !plain {
                return Ok((Value::String(text.into_owned()), false));
            }
            let is_merge = text == "<<";
            let r = resolve::resolve(&text, self.flavor);
            return Ok((self.resolved_value(r, text), is_merge));
        };
        let full = full_tag(tag);
        match full.strip_prefix("tag:yaml.org,2002:") {
            Some("str") => Ok((Value::String(text.into_owned()), false)),
            Some("binary") => Ok((Value::String(decode_binary(&text, line, col)?), false)),
            Some("merge") => {
                let is_merge = text == "<<";
                Ok((Value::String(text.into_owned()), is_merge))
            }
            Some(want @ ("null" | "bool" | "int" | "float" | "timestamp")) => {
                let r = resolve::resolve(&text, self.flavor);
                let got = resolved_tag_name(r);
                let value = match (want, r) {
                    (w, _) if w == got => self.resolved_value(r, text),
                    ("float", Resolved::Int(i)) => Value::Float(i as f64),
                    _ => {
                        return Err(Error::new(
                            ErrorKind::Type,
                            format!("cannot decode !!{got} `{text}` as a !!{want}"),
                            line,
                            col,
                        ));
                    }
                };
                Ok((value, false))
            }
            // Unknown tags (and `!`, `!!map`, `!!seq` on a scalar) keep the text as a string.
            _ => {
                let is_merge = self.flavor == Flavor::V3 && full == "!" && plain && text == "<<";
                Ok((Value::String(text.into_owned()), is_merge))
            }
        }
    }

    fn resolved_value(&self, r: Resolved, text: Cow<'a, str>) -> Value {
        match r {
            Resolved::Null => Value::Null,
            Resolved::Bool(b) => Value::Bool(b),
            Resolved::Int(i) => Value::Int(i),
            Resolved::Uint(u) => Value::Uint(u),
            Resolved::Float(f) => Value::Float(f),
            Resolved::Timestamp if self.flavor == Flavor::V3 => match resolve::parse_timestamp(&text) {
                Some(ts) => Value::String(ts.to_rfc3339_nano()),
                None => Value::String(text.into_owned()),
            },
            Resolved::Timestamp | Resolved::Str => Value::String(text.into_owned()),
        }
    }
}

/// A problem found while attaching a node to its mapping.
enum Failure {
    Decode(Error),
    Duplicate(String),
    Key(Error),
}

/// The tag name go-yaml reports for a resolution result (`cannot decode !!str ...`).
fn resolved_tag_name(r: Resolved) -> &'static str {
    match r {
        Resolved::Null => "null",
        Resolved::Bool(_) => "bool",
        Resolved::Int(_) | Resolved::Uint(_) => "int",
        Resolved::Float(_) => "float",
        Resolved::Timestamp => "timestamp",
        Resolved::Str => "str",
    }
}

/// The tag as go-yaml spells it: `tag:yaml.org,2002:int`, `!foo`, `!`.
fn full_tag(tag: &Tag) -> String {
    if tag.handle == "!" { format!("!{}", tag.suffix) } else { format!("{}{}", tag.handle, tag.suffix) }
}

/// The first NaN or infinite float in `v` (depth-first, iteratively).
fn find_non_finite(v: &Value) -> Option<f64> {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Float(f) if !f.is_finite() => return Some(*f),
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(m) => stack.extend(m.values()),
            _ => {}
        }
    }
    None
}

fn non_finite_error(f: f64) -> Error {
    let message = format!("json: unsupported value: {}", gofmt::format_float_g(f));
    Error::bare(ErrorKind::Unsupported, message, 0, 0)
}

/// Decode a `!!binary` scalar like Go's `base64.StdEncoding.DecodeString` (line breaks are ignored), then turn the
/// bytes into text as `encoding/json` does (each invalid byte becomes U+FFFD).
fn decode_binary(text: &str, line: usize, col: usize) -> Result<String, Error> {
    let bytes = base64_decode_std(text)
        .ok_or_else(|| Error::new(ErrorKind::Type, "!!binary value contains invalid base64 data", line, col))?;
    Ok(gofmt::go_lossy_utf8(&bytes))
}

/// Standard base64 with padding; `\r` and `\n` are skipped, anything else invalid fails.
fn base64_decode_std(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut quad = [0u8; 4];
    let mut n = 0;
    let mut padding = 0usize;
    let mut ended = false;
    for c in text.bytes() {
        if c == b'\r' || c == b'\n' {
            continue;
        }
        if ended {
            return None;
        }
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' if n >= 2 => {
                padding += 1;
                0
            }
            _ => return None,
        };
        if padding > 0 && c != b'=' {
            return None;
        }
        quad[n] = v;
        n += 1;
        if n == 4 {
            let triple = (u32::from(quad[0]) << 18)
                | (u32::from(quad[1]) << 12)
                | (u32::from(quad[2]) << 6)
                | u32::from(quad[3]);
            let bytes = [(triple >> 16) as u8, (triple >> 8) as u8, triple as u8];
            match padding {
                0 => out.extend_from_slice(&bytes),
                1 => out.extend_from_slice(&bytes[..2]),
                2 => out.push(bytes[0]),
                _ => return None,
            }
            n = 0;
            ended = padding > 0;
        }
    }
    (n == 0).then_some(out)
}

/// Turn a decoded key into a string key: `Ok(Ok(key))`, `Ok(Err(bad))` for a key whose error waits for its value,
/// `Err` for a key go-yaml itself refuses (a mapping or a sequence).
fn key_string(key: Value, opts: &LoadOptions, line: usize, col: usize) -> Result<Result<String, BadKey>, Error> {
    match key {
        Value::String(s) => Ok(Ok(s)),
        Value::Map(_) | Value::Seq(_) => {
            Err(Error::new(ErrorKind::Key, format!("invalid map key: {}", gofmt::go_sharp_v(&key, false)), line, col))
        }
        _ if opts.non_string_keys == NonStringKeys::Error => {
            Err(Error::bare(ErrorKind::Key, "json: unsupported type: map[interface {}]interface {}", line, col))
        }
        Value::Int(i) => Ok(Ok(i.to_string())),
        Value::Bool(b) => Ok(Ok(b.to_string())),
        Value::Float(f) => Ok(Ok(match gofmt::format_float_32g(f).as_str() {
            "+Inf" => ".inf".to_owned(),
            "-Inf" => "-.inf".to_owned(),
            "NaN" => ".nan".to_owned(),
            s => s.to_owned(),
        })),
        key @ (Value::Uint(_) | Value::Null) => Ok(Err(BadKey { key, line, col })),
    }
}

impl BadKey {
    /// `unsupported map key of type: uint64, key: 0xffffffffffffffff, value: "a"`.
    fn error(&self, value: &Value) -> Error {
        let ty = match self.key {
            Value::Uint(_) => "uint64",
            _ => "%!s(<nil>)",
        };
        Error::bare(
            ErrorKind::Key,
            format!(
                "unsupported map key of type: {ty}, key: {}, value: {}",
                gofmt::go_sharp_v(&self.key, true),
                gofmt::go_sharp_v(value, true)
            ),
            self.line,
            self.col,
        )
    }
}

/// Insert an own key. A duplicate is reported (as go-yaml v3 words it) when duplicates are errors.
fn insert_entry(
    map: &mut Map,
    key_lines: &mut Vec<usize>,
    merged: Option<&mut indexmap::IndexSet<String>>,
    opts: &LoadOptions,
    key: String,
    line: usize,
    value: Value,
) -> Result<(), String> {
    let track = opts.duplicate_keys == DuplicateKeys::Error;
    let from_merge = match merged {
        // An own key always beats a merged one, whatever the order; it is then an own key.
        Some(merged) => merged.shift_remove(&key),
        None => false,
    };
    if track
        && !from_merge
        && let Some(idx) = map.get_index_of(&key)
    {
        let first = key_lines.get(idx).copied().unwrap_or(0);
        return Err(format!("line {line}: mapping key {} already defined at line {first}", gofmt::go_quote(&key)));
    }
    let (idx, _) = map.insert_full(key, value);
    if track {
        if idx == key_lines.len() {
            key_lines.push(line);
        } else if let Some(slot) = key_lines.get_mut(idx) {
            *slot = line;
        }
    }
    Ok(())
}

fn apply_merge(
    map: &mut Map,
    key_lines: &mut Vec<usize>,
    merged: &mut Option<indexmap::IndexSet<String>>,
    opts: &LoadOptions,
    value: Value,
    line: usize,
    col: usize,
) -> Result<(), Error> {
    let want_map =
        || Error::new(ErrorKind::Merge, "map merge requires map or sequence of maps as the value", line, col);
    let sources: Vec<Map> = match value {
        Value::Map(m) => vec![m],
        Value::Seq(items) => items
            .into_iter()
            .map(|v| match v {
                Value::Map(m) => Ok(m),
                _ => Err(want_map()),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(want_map()),
    };
    let track = opts.duplicate_keys == DuplicateKeys::Error;
    let mut put = |map: &mut Map, k: String, v: Value| {
        let (idx, _) = map.insert_full(k, v);
        if track && idx == key_lines.len() {
            key_lines.push(line);
        }
    };
    match opts.merge_keys {
        MergeKeys::InOrder => {
            // Later maps of the list are applied first so that earlier ones win; all overwrite existing keys.
            for source in sources.into_iter().rev() {
                for (k, v) in source {
                    put(map, k, v);
                }
            }
        }
        MergeKeys::OwnKeysWin => {
            let set = merged.get_or_insert_with(indexmap::IndexSet::new);
            for source in sources {
                for (k, v) in source {
                    // Own keys and keys of earlier merged maps win.
                    if !map.contains_key(&k) {
                        set.insert(k.clone());
                        put(map, k, v);
                    }
                }
            }
        }
    }
    Ok(())
}
