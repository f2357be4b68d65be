//! A block-style YAML writer with the layout decisions of go-yaml's emitter (a port of libyaml's `emitter.c`).
//!
//! Helm's `toYaml` and `kubectl kustomize` both print through go-yaml v2's emitter, so every byte of their output
//! follows its rules: indentation bookkeeping (`indent`, `column`, `whitespace`, `indention`), the scalar analysis
//! that decides between plain, single-quoted, double-quoted and literal styles, line folding at 80 columns, the
//! indentless sequences under mapping keys, `? ` complex keys for long or multi-line keys, and `{}`/`[]` for empty
//! collections. This module reimplements those rules over a [`Value`]; a [`Policy`] (in [`crate::helm`]) decides
//! the text and requested style of each scalar and the key order.
//!
//! The go-yaml v3 emitter (used by Helm's `toYamlPretty`) differs in a few rules, selected with [`Dialect::V3`].

use crate::error::Error;
use crate::value::{Map, Value};
use std::borrow::Cow;

/// Requested scalar style (the emitter may still fall back to a quoted style).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    DoubleQuoted,
    Literal,
}

/// How values become scalars, and in which order mapping keys are written: the part of the output that belongs
/// to the encoder (go-yaml's `encode.go`, plus the JSON round trip for `sigs.k8s.io/yaml`) rather than to the
/// emitter.
pub(crate) trait Policy {
    /// Text and requested style of a scalar value (never called for sequences or mappings).
    fn scalar<'v>(&self, v: &'v Value) -> Result<(Cow<'v, str>, Style), Error>;
    /// Text and requested style of a mapping key.
    fn key<'v>(&self, k: &'v str) -> Result<(Cow<'v, str>, Style), Error>;
    /// Put mapping keys in output order.
    fn sort_keys(&self, keys: &mut Vec<&String>);
}
/// Which go-yaml emitter to imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// go-yaml v2: sequences under a mapping key are not indented; a tab makes a scalar double-quoted only through
    /// the "special character" rule.
    V2,
    /// go-yaml v3 encoder with `SetIndent(n)`: sequences are indented under their key, and a tab keeps a scalar
    /// quotable but forbids plain and block styles.
    V3,
}

/// The result of analysing a scalar's text (libyaml's `scalar_data`).
#[derive(Debug, Clone, Copy)]
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

/// The context a node is written in (libyaml's `*_context` flags).
#[derive(Debug, Clone, Copy, Default)]
struct Ctx {
    mapping: bool,
    simple_key: bool,
}

/// Emitter configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Config {
    pub dialect: Dialect,
    pub best_indent: usize,
    pub best_width: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { dialect: Dialect::V2, best_indent: 2, best_width: 80 }
    }
}

/// Emit one document holding `root`, with the trailing line break go-yaml writes.
///
/// The walk is iterative (an explicit stack of open collections), so arbitrarily deep values need no call stack.
pub(crate) fn emit_document<P: Policy>(root: &Value, config: Config, policy: &P) -> Result<String, Error> {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        indent: -1,
        indents: Vec::new(),
        whitespace: true,
        indention: true,
        flow_level: 0,
        config,
    };
    let mut stack: Vec<Open<'_>> = Vec::new();
    e.begin(root, Ctx::default(), policy, &mut stack)?;
    while let Some(top) = stack.last_mut() {
        match top {
            Open::Seq { items, next } => {
                let Some(item) = items.get(*next) else {
                    stack.pop();
                    e.pop_indent();
                    continue;
                };
                *next += 1;
                e.write_indent();
                e.write_indicator("-", true, false, true);
                e.begin(item, Ctx::default(), policy, &mut stack)?;
            }
            Open::Map { map, keys, next } => {
                let Some(key) = keys.get(*next).copied() else {
                    stack.pop();
                    e.pop_indent();
                    continue;
                };
                *next += 1;
                let value = map.get(key.as_str()).unwrap_or(&Value::Null);
                let (text, style) = policy.key(key)?;
                e.write_indent();
                let value_ctx = Ctx { mapping: true, simple_key: false };
                let analysis = e.analyze(&text);
                // A key can be written as `key:` when it is a short single-line scalar.
                if !analysis.multiline && text.len() <= 128 {
                    let key_ctx = Ctx { mapping: true, simple_key: true };
                    e.scalar_analyzed(&text, style, key_ctx, &analysis);
                    e.write_indicator(":", false, false, false);
                } else {
                    e.write_indicator("?", true, false, true);
                    e.scalar_analyzed(&text, style, value_ctx, &analysis);
                    e.write_indent();
                    e.write_indicator(":", true, false, true);
                }
                e.begin(value, value_ctx, policy, &mut stack)?;
            }
        }
    }
    // Implicit document end: finish the last line.
    e.write_indent();
    Ok(e.out)
}

/// A collection whose items are still being written.
enum Open<'v> {
    Seq { items: &'v [Value], next: usize },
    Map { map: &'v Map, keys: Vec<&'v String>, next: usize },
}

struct Emitter {
    out: String,
    /// Characters written on the current line.
    column: usize,
    indent: isize,
    indents: Vec<isize>,
    /// The last character written is a space or an indicator that counts as one.
    whitespace: bool,
    /// Only indentation has been written on the current line.
    indention: bool,
    flow_level: usize,
    config: Config,
}

impl Emitter {
    /// Start writing a value: scalars and empty collections are written at once, other collections are opened.
    fn begin<'v, P: Policy>(
        &mut self,
        v: &'v Value,
        ctx: Ctx,
        policy: &P,
        stack: &mut Vec<Open<'v>>,
    ) -> Result<(), Error> {
        match v {
            Value::Seq(items) if items.is_empty() => self.empty_flow("[", "]"),
            Value::Map(map) if map.is_empty() => self.empty_flow("{", "}"),
            Value::Seq(items) => {
                let indentless = match self.config.dialect {
                    Dialect::V2 => ctx.mapping && !self.indention,
                    Dialect::V3 => false,
                };
                self.increase_indent(false, indentless);
                stack.push(Open::Seq { items, next: 0 });
            }
            Value::Map(map) => {
                self.increase_indent(false, false);
                let mut keys: Vec<&String> = map.keys().collect();
                policy.sort_keys(&mut keys);
                stack.push(Open::Map { map, keys, next: 0 });
            }
            scalar => {
                let (text, style) = policy.scalar(scalar)?;
                self.scalar(&text, style, ctx);
            }
        }
        Ok(())
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn scalar(&mut self, text: &str, requested: Style, ctx: Ctx) {
        let a = self.analyze(text);
        self.scalar_analyzed(text, requested, ctx, &a);
    }

    fn scalar_analyzed(&mut self, text: &str, requested: Style, ctx: Ctx, a: &Analysis) {
        let style = self.select_style(text, requested, a, ctx);
        self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            ScalarOut::Plain => self.write_plain(text, allow_breaks),
            ScalarOut::Single => self.write_single_quoted(text, allow_breaks),
            ScalarOut::Double => self.write_double_quoted(text, allow_breaks),
            ScalarOut::Literal => self.write_literal(text),
        }
        self.pop_indent();
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { self.config.best_indent as isize } else { 0 };
        } else if !indentless {
            self.indent += self.config.best_indent as isize;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn select_style(&self, text: &str, requested: Style, a: &Analysis, ctx: Ctx) -> ScalarOut {
        let mut style = match requested {
            Style::Plain => ScalarOut::Plain,
            Style::DoubleQuoted => ScalarOut::Double,
            Style::Literal => ScalarOut::Literal,
        };
        if ctx.simple_key && a.multiline {
            style = ScalarOut::Double;
        }
        if style == ScalarOut::Plain {
            let flow = self.flow_level > 0;
            if (flow && !a.flow_plain_allowed) || (!flow && !a.block_plain_allowed) {
                style = ScalarOut::Single;
            }
            if text.is_empty() && (flow || ctx.simple_key) {
                style = ScalarOut::Single;
            }
        }
        if style == ScalarOut::Single && !a.single_quoted_allowed {
            style = ScalarOut::Double;
        }
        if style == ScalarOut::Literal && (!a.block_allowed || self.flow_level > 0 || ctx.simple_key) {
            style = ScalarOut::Double;
        }
        style
    }

    /// libyaml's `yaml_emitter_analyze_scalar`.
    fn analyze(&self, value: &str) -> Analysis {
        if value.is_empty() {
            return Analysis {
                multiline: false,
                flow_plain_allowed: false,
                block_plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: false,
            };
        }
        let mut block_indicators = false;
        let mut flow_indicators = false;
        let mut line_breaks = false;
        let mut special_characters = false;
        let mut tab_characters = false;
        let mut leading_space = false;
        let mut leading_break = false;
        let mut trailing_space = false;
        let mut trailing_break = false;
        let mut break_space = false;
        let mut space_break = false;
        let mut previous_space = false;
        let mut previous_break = false;

        if value.starts_with("---") || value.starts_with("...") {
            block_indicators = true;
            flow_indicators = true;
        }
        let v3 = self.config.dialect == Dialect::V3;
        let mut preceded_by_whitespace = true;
        // Each character with its position and the character after it; bytes are characters in ASCII text.
        let bytes = value.as_bytes();
        let ascii = value.is_ascii();
        let mut wide = value.char_indices().peekable();
        let mut pos = 0;
        loop {
            let (i, c, next) = if ascii {
                let Some(&b) = bytes.get(pos) else { break };
                pos += 1;
                (pos - 1, char::from(b), bytes.get(pos).map(|&n| char::from(n)))
            } else {
                let Some((i, c)) = wide.next() else { break };
                (i, c, wide.peek().map(|&(_, n)| n))
            };
            let followed_by_whitespace = next.is_none_or(is_blank);
            let last = next.is_none();
            if i == 0 {
                match c {
                    '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                    '?' | ':' => {
                        flow_indicators = true;
                        if followed_by_whitespace {
                            block_indicators = true;
                        }
                    }
                    '-' if followed_by_whitespace => {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                    _ => {}
                }
            } else {
                match c {
                    ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                    ':' => {
                        flow_indicators = true;
                        if followed_by_whitespace {
                            block_indicators = true;
                        }
                    }
                    '#' if preceded_by_whitespace => {
                        flow_indicators = true;
                        block_indicators = true;
                    }
                    _ => {}
                }
            }
            if v3 && c == '\t' {
                tab_characters = true;
            } else if !is_printable(c) {
                special_characters = true;
            }
            if c == ' ' {
                if i == 0 {
                    leading_space = true;
                }
                if last {
                    trailing_space = true;
                }
                if previous_break {
                    break_space = true;
                }
                previous_space = true;
                previous_break = false;
            } else if is_break(c) {
                line_breaks = true;
                if i == 0 {
                    leading_break = true;
                }
                if last {
                    trailing_break = true;
                }
                if previous_space {
                    space_break = true;
                }
                previous_space = false;
                previous_break = true;
            } else {
                previous_space = false;
                previous_break = false;
            }
            preceded_by_whitespace = is_blank(c) || is_break(c);
        }

        let mut a = Analysis {
            multiline: line_breaks,
            flow_plain_allowed: true,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
        if leading_space || leading_break || trailing_space || trailing_break {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
        }
        if trailing_space {
            a.block_allowed = false;
        }
        if break_space {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
            a.single_quoted_allowed = false;
        }
        if space_break || tab_characters || special_characters {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
            a.single_quoted_allowed = false;
        }
        if space_break || special_characters {
            a.block_allowed = false;
        }
        if line_breaks {
            a.flow_plain_allowed = false;
            a.block_plain_allowed = false;
        }
        if flow_indicators {
            a.flow_plain_allowed = false;
        }
        if block_indicators {
            a.block_plain_allowed = false;
        }
        a
    }

    // ---- low-level writing -------------------------------------------------------------------------------

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Copy a line-break character from the value (`\n` is normalised; others are written as they are).
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        // Fast path: a plain scalar has no line breaks, so without a fold (no space reached past the width) it is
        // copied as it is.
        if value.is_ascii() && (!allow_breaks || self.column + value.len() <= self.config.best_width.saturating_add(1))
        {
            self.out.push_str(value);
            self.column += value.len();
            self.whitespace = false;
            self.indention = false;
            return;
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut chars = value.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ' ' {
                let next_is_space = chars.peek() == Some(&' ');
                if allow_breaks && !spaces && self.column > self.config.best_width && !next_is_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let last_byte = value.len().saturating_sub(1);
        let mut chars = value.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == ' ' {
                let next_is_space = chars.peek().is_some_and(|&(_, n)| n == ' ');
                if allow_breaks
                    && !spaces
                    && self.column > self.config.best_width
                    && i > 0
                    && i < last_byte
                    && !next_is_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // libyaml checks for a byte order mark at the start of the value, not at the current character, so a
        // value that starts with one gets every character escaped.
        let bom_start = value.starts_with('\u{FEFF}');
        let last_byte = value.len().saturating_sub(1);
        let mut spaces = false;
        let mut chars = value.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if !is_printable(c) || bom_start || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let code = match c {
                    '\0' => Some('0'),
                    '\u{7}' => Some('a'),
                    '\u{8}' => Some('b'),
                    '\t' => Some('t'),
                    '\n' => Some('n'),
                    '\u{b}' => Some('v'),
                    '\u{c}' => Some('f'),
                    '\r' => Some('r'),
                    '\u{1b}' => Some('e'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '\u{85}' => Some('N'),
                    '\u{a0}' => Some('_'),
                    '\u{2028}' => Some('L'),
                    '\u{2029}' => Some('P'),
                    _ => None,
                };
                match code {
                    Some(code) => self.put(code),
                    None => {
                        let v = c as u32;
                        let (prefix, width) = if v <= 0xFF {
                            ('x', 2)
                        } else if v <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(prefix);
                        for k in (0..width).rev() {
                            let digit = (v >> (k * 4)) & 0xF;
                            self.put(char::from_digit(digit, 16).map_or('0', |d| d.to_ascii_uppercase()));
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > self.config.best_width && i > 0 && i < last_byte {
                    self.write_indent();
                    if chars.peek().is_some_and(|&(_, n)| n == ' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_block_scalar_hints(&mut self, value: &str) {
        let mut chars = value.chars();
        if let Some(first) = chars.clone().next()
            && (first == ' ' || is_break(first))
        {
            let hint = char::from_digit(self.config.best_indent as u32, 10).unwrap_or('2');
            self.write_indicator(&hint.to_string(), false, false, false);
        }
        let last = chars.next_back();
        let chomp = match last {
            None => Some('-'),
            Some(c) if !is_break(c) => Some('-'),
            Some(_) => match chars.next_back() {
                // The value is a single line break.
                None => Some('+'),
                Some(prev) if is_break(prev) => Some('+'),
                Some(_) => None,
            },
        };
        if let Some(chomp) = chomp {
            self.write_indicator(&chomp.to_string(), false, false, false);
        }
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        self.write_block_scalar_hints(value);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScalarOut {
    Plain,
    Single,
    Double,
    Literal,
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// libyaml's line breaks: CR, LF, NEL, LS, PS.
pub(crate) fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// libyaml's printable set as go-yaml (v2 and v3) tests it on UTF-8 lead bytes: tab, C0/C1 controls, DEL, the
/// byte order mark, U+FFFE/U+FFFF and every character beyond the BMP (emoji) count as unprintable.
fn is_printable(c: char) -> bool {
    match c {
        '\n' | ' '..='~' | '\u{a0}'..='\u{d7ff}' => true,
        '\u{e000}'..='\u{fffd}' => c != '\u{feff}',
        _ => false,
    }
}
