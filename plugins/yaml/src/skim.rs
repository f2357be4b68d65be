//! A fast path for reading a few fields of a block-style document without building the whole tree.
//!
//! Helm reads the head (`apiVersion`, `kind`, `metadata.name`, `metadata.annotations`) of every rendered manifest
//! with a full `yaml.Unmarshal`, so a document that is not valid YAML fails the render even though only four fields
//! are used. The full loader ([`crate::from_str`]) reproduces that exactly but builds every node of documents that
//! are often megabytes of CRDs. [`skim_helm`] instead walks the text line by line over a deliberately small subset
//! of YAML: block mappings and sequences indented with spaces, plain keys, single-line quoted scalars without
//! escapes, multi-line plain scalars, block scalars, and flow sequences of scalars on one line. Within that subset
//! every document loads without error under [`crate::LoadOptions::helm`], and the skim returns what the full loader
//! would return for the fields asked for. Anything outside it (tabs, control characters, anchors, aliases, tags,
//! merge keys, non-string or null keys, escapes, multi-line quoted or flow scalars, `.inf`/`.nan`, unusual
//! indentation, …) makes it return `None`, and the caller runs the full loader, which gives the exact value or the
//! exact error. The subset is checked against the full loader by a differential test on mutated documents.

use crate::resolve::{self, Resolved};
use crate::value::{Map, Value};

/// What the caller wants of the value under a key path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Nothing: validate it and move on.
    Skip,
    /// The value itself, which must be a scalar (the skim gives up on a collection).
    Value,
    /// A mapping whose keys are asked about in turn (a null value is kept as null).
    Descend,
}

/// The fields Helm's manifest sorter reads (`releaseutil.SimpleHead`): `apiVersion`, `kind`, `metadata.name` and
/// every `metadata.annotations` entry, with field names matched case-insensitively as `encoding/json` matches them.
pub fn helm_head(path: &[&str]) -> Want {
    let is = |k: &str, n: &str| k.eq_ignore_ascii_case(n);
    match path {
        [k] if is(k, "apiVersion") || is(k, "kind") => Want::Value,
        [k] if is(k, "metadata") => Want::Descend,
        [m, k] if is(m, "metadata") && is(k, "name") => Want::Value,
        [m, k] if is(m, "metadata") && is(k, "annotations") => Want::Descend,
        [m, a, _] if is(m, "metadata") && is(a, "annotations") => Want::Value,
        _ => Want::Skip,
    }
}

/// Skim `src` (one document) as [`crate::from_str`] would load it, keeping only the paths `want` asks for.
///
/// Returns `None` when the document is outside the subset this fast path understands; the caller must then use
/// the full loader. When it returns `Some(v)`, the full loader succeeds on `src` and `v` is its result with every
/// mapping under a [`Want::Descend`] path reduced to the keys `want` asked for (the root is always descended). A
/// document of only comments gives [`Value::Null`].
pub fn skim_helm(src: &str, want: &dyn Fn(&[&str]) -> Want) -> Option<Value> {
    if !plain_text(src) {
        return None;
    }
    Skimmer { want, lines: Lines { src, pos: 0 }, frames: Vec::new(), path: Vec::new(), root: None }.run()
}

/// No byte go-yaml refuses or treats as a line break other than `\n`, no tab, no byte-order mark.
fn plain_text(src: &str) -> bool {
    if src.is_ascii() {
        return !src.bytes().any(|b| (b < 0x20 && b != b'\n') || b == 0x7f);
    }
    src.chars().all(|c| match c {
        '\n' => true,
        c if c < ' ' || c == '\u{7f}' => false,
        '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => false,
        _ => true,
    })
}

/// The deepest nesting the skim follows before handing over to the full loader.
const MAX_DEPTH: usize = 256;
/// libyaml refuses a simple key longer than 1024 characters; stay well below.
const MAX_KEY: usize = 1000;

struct Lines<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lines<'a> {
    fn peek(&self) -> Option<&'a str> {
        let rest = self.src.get(self.pos..).filter(|r| !r.is_empty())?;
        Some(match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => &rest[..i],
            None => rest,
        })
    }

    fn advance(&mut self, line: &str) {
        self.pos += line.len() + 1;
    }
}

/// Whether `s` contains `": "` (a mapping value indicator). Lines are short: finding each `:` with `memchr` beats
/// setting up a substring searcher per line.
fn has_colon_space(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr_iter(b':', b).any(|i| b.get(i + 1) == Some(&b' '))
}

/// The number of leading spaces of `line`.
fn indent_of(line: &str) -> usize {
    line.bytes().take_while(|&b| b == b' ').count()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    Seq,
}

struct Frame<'a> {
    indent: usize,
    kind: Kind,
    /// For a mapping on a descended path: the kept entries, and the key this mapping sits under in its parent.
    kept: Option<(Map, Option<&'a str>)>,
}

/// A key (or sequence dash) whose value starts on a later line.
struct Pending<'a> {
    /// The block indentation the value must go deeper than (the mapping's or the sequence's column).
    indent: usize,
    /// Whether a sequence may sit at `indent` itself (a mapping value's "indentless" sequence).
    indentless: bool,
    want: Want,
    key: Option<&'a str>,
}

/// What the previous content line ended with, for the lines that may continue it.
enum Tail<'a> {
    /// Nothing can continue it.
    Closed,
    /// A plain scalar: deeper lines continue it. `kept` holds its text so far when the value is wanted.
    Plain { indent: usize, kept: Option<(String, &'a str)>, blanks: usize },
    /// A key or dash with nothing after it.
    Pending(Pending<'a>),
}

struct Skimmer<'a, 'w> {
    want: &'w dyn Fn(&[&str]) -> Want,
    lines: Lines<'a>,
    frames: Vec<Frame<'a>>,
    /// Keys of the descended mappings on the stack (root excluded).
    path: Vec<&'a str>,
    root: Option<Value>,
}

impl<'a> Skimmer<'a, '_> {
    fn run(mut self) -> Option<Value> {
        let mut tail = Tail::Closed;
        while let Some(line) = self.lines.peek() {
            self.lines.advance(line);
            let indent = indent_of(line);
            let rest = &line[indent..];
            if rest.is_empty() {
                if let Tail::Plain { blanks, .. } = &mut tail {
                    *blanks += 1;
                }
                continue;
            }
            if rest.starts_with('#') {
                // A comment ends a plain scalar; a pending key still takes the lines after it.
                if let Tail::Plain { .. } = tail {
                    tail = self.close(tail)?;
                }
                continue;
            }
            if indent == 0 && (rest.starts_with("---") || rest.starts_with("...") || rest.starts_with('%')) {
                return None;
            }
            // A deeper line after a plain scalar continues it.
            if let Tail::Plain { indent: block, kept, blanks } = &mut tail
                && indent > *block
            {
                let text = rest.trim_end_matches(' ');
                if has_colon_space(text) || text.ends_with(':') || text.contains('#') {
                    return None;
                }
                if let Some((s, _)) = kept {
                    // Folding: one line break becomes a space, each blank line a line break.
                    match *blanks {
                        0 => s.push(' '),
                        n => s.extend(std::iter::repeat_n('\n', n)),
                    }
                    s.push_str(text);
                }
                *blanks = 0;
                continue;
            }
            // A shallower line ends a plain scalar; a pending key is settled by `line`.
            let tail_in = match tail {
                Tail::Plain { .. } => self.close(tail)?,
                other => other,
            };
            tail = self.line(tail_in, indent, rest)?;
        }
        self.close(tail)?;
        while !self.frames.is_empty() {
            self.pop()?;
        }
        Some(self.root.take().unwrap_or(Value::Null))
    }

    /// Finish what the previous line left open: a plain scalar's value, or a key with no value (null).
    fn close(&mut self, tail: Tail<'a>) -> Option<Tail<'a>> {
        match tail {
            Tail::Closed => {}
            Tail::Plain { kept, .. } => {
                if let Some((text, key)) = kept {
                    let v = plain(&text)?;
                    self.keep(key, v)?;
                }
            }
            Tail::Pending(p) => {
                if p.want != Want::Skip
                    && let Some(key) = p.key
                {
                    self.keep(key, Value::Null)?;
                }
            }
        }
        Some(Tail::Closed)
    }

    /// Record a wanted value in the innermost kept mapping.
    fn keep(&mut self, key: &'a str, v: Value) -> Option<()> {
        let (map, _) = self.frames.last_mut()?.kept.as_mut()?;
        map.insert(key.to_owned(), v);
        Some(())
    }

    fn push(&mut self, indent: usize, kind: Kind, descend: Option<Option<&'a str>>) -> Option<()> {
        if self.frames.len() >= MAX_DEPTH {
            return None;
        }
        if let Some(Some(key)) = descend {
            self.path.push(key);
        }
        self.frames.push(Frame { indent, kind, kept: descend.map(|k| (Map::new(), k)) });
        Some(())
    }

    fn pop(&mut self) -> Option<()> {
        let frame = self.frames.pop()?;
        if let Some((map, key)) = frame.kept {
            match key {
                None => self.root = Some(Value::Map(map)),
                Some(key) => {
                    self.path.pop();
                    self.keep(key, Value::Map(map))?;
                }
            }
        }
        Some(())
    }

    /// Whether the innermost frame is a mapping whose keys are asked about.
    fn descended(&self) -> bool {
        self.frames.last().is_some_and(|f| f.kept.is_some())
    }

    fn want_for(&mut self, key: &'a str) -> Want {
        if !self.descended() {
            return Want::Skip;
        }
        self.path.push(key);
        let w = (self.want)(&self.path);
        self.path.pop();
        w
    }

    /// One content line (not blank, not a comment, not a continuation) at `indent`.
    fn line(&mut self, tail: Tail<'a>, indent: usize, rest: &'a str) -> Option<Tail<'a>> {
        let dash = is_dash(rest);
        // The first line opens the root mapping.
        if self.frames.is_empty() {
            if self.root.is_some() || indent != 0 || dash {
                return None;
            }
            self.push(0, Kind::Map, Some(None))?;
            return self.entry(indent, rest);
        }
        if let Tail::Pending(p) = tail {
            let deeper = indent > p.indent;
            if dash && (deeper || (p.indentless && indent == p.indent)) {
                if p.want != Want::Skip {
                    return None;
                }
                self.push(indent, Kind::Seq, None)?;
                return self.item(indent, rest);
            }
            if deeper {
                if split_key(rest)?.is_none() {
                    // A scalar (or flow collection) on the line after its key.
                    return self.value(p.indent, p.indentless, p.want, p.key, rest);
                }
                let descend = match p.want {
                    Want::Skip => None,
                    Want::Descend => Some(p.key),
                    Want::Value => return None,
                };
                self.push(indent, Kind::Map, descend)?;
                return self.entry(indent, rest);
            }
            self.close(Tail::Pending(p))?;
        }
        while self.frames.last().is_some_and(|f| f.indent > indent) {
            self.pop()?;
        }
        // A mapping key at the column of an indentless sequence ends that sequence.
        if !dash
            && self.frames.last().is_some_and(|f| f.kind == Kind::Seq && f.indent == indent)
            && self.frames.len() >= 2
            && self.frames[self.frames.len() - 2].kind == Kind::Map
            && self.frames[self.frames.len() - 2].indent == indent
        {
            self.pop()?;
        }
        let top = self.frames.last()?;
        if top.indent != indent {
            return None;
        }
        match (top.kind, dash) {
            (Kind::Map, false) => self.entry(indent, rest),
            (Kind::Seq, true) => self.item(indent, rest),
            _ => None,
        }
    }

    /// A sequence item `- …` at `indent`.
    fn item(&mut self, indent: usize, rest: &'a str) -> Option<Tail<'a>> {
        let after = &rest[1..];
        let content = after.trim_start_matches(' ');
        let col = indent + rest.len() - content.len();
        if content.is_empty() || content.starts_with('#') {
            return Some(Tail::Pending(Pending { indent, indentless: false, want: Want::Skip, key: None }));
        }
        if is_dash(content) {
            return None;
        }
        if let Some((key, value)) = split_key(content)? {
            // A compact mapping opened by the dash.
            self.push(col, Kind::Map, None)?;
            return self.value(col, true, Want::Skip, Some(key), value);
        }
        self.value(indent, false, Want::Skip, None, content)
    }

    /// A mapping entry `key: …` at `indent` in the innermost mapping.
    fn entry(&mut self, indent: usize, rest: &'a str) -> Option<Tail<'a>> {
        let (key, value) = split_key(rest)??;
        let want = self.want_for(key);
        self.value(indent, true, want, Some(key), value)
    }

    /// The value after a key or a dash; `indent` is the column of the block that holds it.
    fn value(
        &mut self,
        indent: usize,
        in_map: bool,
        want: Want,
        key: Option<&'a str>,
        text: &'a str,
    ) -> Option<Tail<'a>> {
        let text = text.trim_start_matches(' ');
        let first = text.bytes().next();
        match first {
            None | Some(b'#') => {
                return Some(Tail::Pending(Pending { indent, indentless: in_map, want, key }));
            }
            Some(b'|' | b'>') => {
                if want != Want::Skip || !block_header(&text[1..]) {
                    return None;
                }
                self.block_scalar(indent)?;
                return Some(Tail::Closed);
            }
            Some(q @ (b'"' | b'\'')) => {
                if want == Want::Descend {
                    return None;
                }
                match find_close(&text[1..], q) {
                    Close::At(end) => {
                        if !end_of_value(&text[end + 2..]) {
                            return None;
                        }
                        if want == Want::Value {
                            let raw = &text[1..end + 1];
                            let s = if q == b'\'' { raw.replace("''", "'") } else { raw.to_owned() };
                            self.keep(key?, Value::String(s))?;
                        }
                    }
                    Close::Open if want == Want::Skip => self.quoted_lines(q, indent)?,
                    Close::Open | Close::GiveUp => return None,
                }
                return Some(Tail::Closed);
            }
            Some(b'[' | b'{') => {
                if want == Want::Descend && text.starts_with("{}") && end_of_value(&text[2..]) {
                    self.keep(key?, Value::Map(Map::new()))?;
                    return Some(Tail::Closed);
                }
                if want != Want::Skip || !flow(text) {
                    return None;
                }
                return Some(Tail::Closed);
            }
            Some(b) if starts_badly(b, text) => return None,
            Some(_) => {}
        }
        let body = match memchr::memmem::find(text.as_bytes(), b" #") {
            Some(i) => &text[..i],
            None => text,
        };
        let body = body.trim_end_matches(' ');
        if has_colon_space(body) || body.ends_with(':') {
            return None;
        }
        if want == Want::Descend {
            return None;
        }
        let kept = match want {
            Want::Value => Some((body.to_owned(), key?)),
            _ => {
                plain(body)?;
                None
            }
        };
        // A comment ends the scalar: no continuation after it.
        if body.len() != text.trim_end_matches(' ').len() {
            if let Some((s, key)) = kept {
                let v = plain(&s)?;
                self.keep(key, v)?;
            }
            return Some(Tail::Closed);
        }
        Some(Tail::Plain { indent, kept, blanks: 0 })
    }

    /// Skip the continuation lines of a quoted scalar that did not close on its first line. Each must be indented
    /// deeper than `block` (the column of the block that holds the scalar).
    fn quoted_lines(&mut self, q: u8, block: usize) -> Option<()> {
        while let Some(line) = self.lines.peek() {
            self.lines.advance(line);
            let spaces = indent_of(line);
            if spaces == line.len() {
                continue;
            }
            if spaces <= block {
                return None;
            }
            match find_close(&line[spaces..], q) {
                Close::At(end) => return end_of_value(&line[spaces + end + 1..]).then_some(()),
                Close::GiveUp => return None,
                Close::Open => {}
            }
        }
        None
    }

    /// Skip the lines of a block scalar whose header closed the previous line; `parent` is the column of the block
    /// that holds it.
    fn block_scalar(&mut self, parent: usize) -> Option<()> {
        let mut content: Option<usize> = None;
        let mut leading_blank = 0usize;
        while let Some(line) = self.lines.peek() {
            let spaces = indent_of(line);
            let blank = spaces == line.len();
            match content {
                None if blank => leading_blank = leading_blank.max(spaces),
                None => {
                    if spaces <= parent || spaces < leading_blank {
                        // An empty scalar (or a blank-line indentation libyaml would pick instead): leave it to
                        // the full loader.
                        return None;
                    }
                    content = Some(spaces);
                }
                Some(n) => {
                    if !blank && spaces < n {
                        return Some(());
                    }
                }
            }
            self.lines.advance(line);
        }
        content.map(|_| ())
    }
}

/// `-` followed by a space or the end of the line.
fn is_dash(rest: &str) -> bool {
    let b = rest.as_bytes();
    b.first() == Some(&b'-') && b.get(1).is_none_or(|&c| c == b' ')
}

/// Split `key: value` (or `key:` at the end of the line). `Some(None)`: not a mapping entry. `None`: give up.
fn split_key(text: &str) -> Option<Option<(&str, &str)>> {
    let b = text.as_bytes();
    let quoted_key = matches!(b.first()?, b'"' | b'\'');
    let (key, after) = match b.first()? {
        b'"' | b'\'' => {
            let (k, after) = quoted(text)?;
            if k.contains('\'') {
                return None;
            }
            let Some(after) = after.strip_prefix(':') else { return Some(None) };
            if !(after.is_empty() || after.starts_with(' ')) {
                return None;
            }
            (k, after)
        }
        &c => {
            if !(c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'/') {
                // Not a key this skim reads; a plain scalar if nothing in it could make it one.
                let t = text.trim_end_matches(' ');
                return if has_colon_space(t) || t.ends_with(':') { None } else { Some(None) };
            }
            let mut i = 0;
            loop {
                let Some(p) = memchr::memchr(b':', &b[i..]) else { return Some(None) };
                let p = i + p;
                if b.get(p + 1).is_none_or(|&c| c == b' ') {
                    break (&text[..p], &text[p + 1..]);
                }
                i = p + 1;
            }
        }
    };
    if key.is_empty() || key.len() > MAX_KEY {
        return None;
    }
    if !quoted_key {
        let kb = key.as_bytes();
        if kb.iter().any(|&c| matches!(c, b' ' | b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'<')) {
            return None;
        }
        if resolve::resolve_v2(key) != Resolved::Str {
            return None;
        }
    }
    Some(Some((key, after)))
}

/// Where a quoted scalar closes in `s` (the text after its opening quote, or a continuation line).
enum Close {
    /// The index of the closing quote.
    At(usize),
    /// Not on this line.
    Open,
    /// A backslash escape in double quotes: left to the full loader.
    GiveUp,
}

/// Find the closing quote `q` in `s`; in single quotes `''` is an escaped quote.
fn find_close(s: &str, q: u8) -> Close {
    let b = s.as_bytes();
    if q == b'"' {
        return match memchr::memchr2(b'"', b'\\', b) {
            Some(i) if b[i] == b'"' => Close::At(i),
            Some(_) => Close::GiveUp,
            None => Close::Open,
        };
    }
    let mut i = 0;
    loop {
        match memchr::memchr(b'\'', &b[i..]) {
            None => return Close::Open,
            Some(p) if b.get(i + p + 1) == Some(&b'\'') => i += p + 2,
            Some(p) => return Close::At(i + p),
        }
    }
}

/// A quoted scalar closed on the same line: its raw text (`''` not yet unescaped) and what follows the closing quote.
fn quoted(text: &str) -> Option<(&str, &str)> {
    let inner = &text[1..];
    match find_close(inner, text.as_bytes()[0]) {
        Close::At(end) => Some((&inner[..end], &inner[end + 1..])),
        Close::Open | Close::GiveUp => None,
    }
}

/// Only spaces and perhaps a comment after a value.
fn end_of_value(after: &str) -> bool {
    let t = after.trim_start_matches(' ');
    t.is_empty() || (t.starts_with('#') && t.len() < after.len())
}

/// What may follow `|` or `>`: a chomping indicator, then nothing but a comment (no indentation indicator).
fn block_header(after: &str) -> bool {
    let after = after.strip_prefix(['-', '+']).unwrap_or(after);
    after.is_empty() || end_of_value(after) && after.starts_with(' ')
}

/// A plain scalar may not start with these (or `-`, `?`, `:` followed by a space).
fn starts_badly(b: u8, text: &str) -> bool {
    match b {
        b'&' | b'*' | b'!' | b'%' | b'@' | b'`' | b',' | b']' | b'}' | b'?' | b':' => true,
        b'-' => is_dash(text),
        _ => false,
    }
}

/// A plain scalar's value as the Helm loader types it; `None` for what the JSON step refuses (`.inf`, `.nan`).
fn plain(text: &str) -> Option<Value> {
    Some(match resolve::resolve_v2(text) {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Int(i),
        Resolved::Uint(u) => Value::Uint(u),
        Resolved::Float(f) if f.is_finite() => Value::Float(f),
        Resolved::Float(_) => return None,
        Resolved::Timestamp | Resolved::Str => Value::String(text.to_owned()),
    })
}

/// `{}`, or `[` scalars separated by commas `]` on one line, then only a comment.
fn flow(text: &str) -> bool {
    if let Some(after) = text.strip_prefix("{}") {
        return end_of_value(after);
    }
    let Some(mut rest) = text.strip_prefix('[') else { return false };
    rest = rest.trim_start_matches(' ');
    if let Some(after) = rest.strip_prefix(']') {
        return end_of_value(after);
    }
    loop {
        let b = rest.as_bytes();
        let Some(&first) = b.first() else { return false };
        let after = if first == b'"' || first == b'\'' {
            match quoted(rest) {
                Some((_, after)) => after,
                None => return false,
            }
        } else {
            // Conservative starts only: a letter, a digit, `_`, `.`, `/`, or `-`/`+` before one of those.
            let ok = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/');
            if !(ok(first) || (matches!(first, b'-' | b'+') && b.get(1).is_some_and(|&c| ok(c)))) {
                return false;
            }
            let end = b.iter().position(|&c| matches!(c, b',' | b']')).unwrap_or(b.len());
            let item = rest[..end].trim_end_matches(' ');
            if item.is_empty() || item.bytes().any(|c| matches!(c, b':' | b'#' | b'[' | b'{' | b'}')) {
                return false;
            }
            if plain(item).is_none() {
                return false;
            }
            &rest[end..]
        };
        let after = after.trim_start_matches(' ');
        if let Some(after) = after.strip_prefix(']') {
            return end_of_value(after);
        }
        let Some(after) = after.strip_prefix(',') else { return false };
        rest = after.trim_start_matches(' ');
        if rest.starts_with(']') {
            return false;
        }
    }
}
