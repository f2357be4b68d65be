//! The template lexer: Go's `text/template/parse` scanner, producing the same items, positions and line numbers,
//! including trim markers (`{{- ` and ` -}}`), comments and the exact error texts.

use crate::strconv;

/// The kinds of lexical items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ItemType {
    Error,
    Bool,
    Char,
    CharConstant,
    Comment,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl ItemType {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemType::Block
                | ItemType::Break
                | ItemType::Continue
                | ItemType::Dot
                | ItemType::Define
                | ItemType::Else
                | ItemType::End
                | ItemType::If
                | ItemType::Nil
                | ItemType::Range
                | ItemType::Template
                | ItemType::With
        )
    }
}

fn keyword(word: &str) -> Option<ItemType> {
    Some(match word {
        "." => ItemType::Dot,
        "block" => ItemType::Block,
        "break" => ItemType::Break,
        "continue" => ItemType::Continue,
        "define" => ItemType::Define,
        "else" => ItemType::Else,
        "end" => ItemType::End,
        "if" => ItemType::If,
        "range" => ItemType::Range,
        "nil" => ItemType::Nil,
        "template" => ItemType::Template,
        "with" => ItemType::With,
        _ => return None,
    })
}

/// A token: its type, byte offset, text and line. The message of an `Error` item is kept by the lexer result.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Item<'a> {
    pub typ: ItemType,
    pub pos: usize,
    pub val: &'a str,
    pub line: usize,
}

impl std::fmt::Display for Item<'_> {
    /// Go's `item.String()`, used in "unexpected …" parse errors.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.typ {
            ItemType::Eof => f.write_str("EOF"),
            ItemType::Error => f.write_str(self.val),
            t if t.is_keyword() => write!(f, "<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let head: String = self.val.chars().take(10).collect();
                    write!(f, "{}...", strconv::quote(&head))
                } else {
                    f.write_str(&strconv::quote(self.val))
                }
            }
        }
    }
}

/// Go's `%#U` formatting of a rune: `U+0023 '#'`.
pub(crate) fn sharp_u(r: char) -> String {
    let mut s = format!("U+{:04X}", u32::from(r));
    if strconv::is_print(r) {
        s.push_str(" '");
        s.push(r);
        s.push('\'');
    }
    s
}

fn is_space(r: Option<char>) -> bool {
    matches!(r, Some(' ' | '\t' | '\r' | '\n'))
}

fn is_alphanumeric(r: Option<char>) -> bool {
    match r {
        Some(c) => c == '_' || strconv::is_letter(c) || strconv::is_digit(c),
        None => false,
    }
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && matches!(b[1], b' ' | b'\t' | b'\r' | b'\n')
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && matches!(b[0], b' ' | b'\t' | b'\r' | b'\n') && b[1] == b'-'
}

const SPACE_CHARS: &[char] = &[' ', '\t', '\r', '\n'];
const TRIM_MARKER_LEN: usize = 2;

#[derive(Clone, Copy)]
enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Space,
    Identifier,
    Field,
    Variable,
    Char,
    Number,
    Quote,
    RawQuote,
}

/// Options that change how some words lex.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LexOptions {
    pub emit_comment: bool,
    pub break_ok: bool,
    pub continue_ok: bool,
}

struct Lexer<'a> {
    input: &'a str,
    left: &'a str,
    right: &'a str,
    pos: usize,
    start: usize,
    at_eof: bool,
    paren_depth: i64,
    line: usize,
    start_line: usize,
    inside_action: bool,
    options: LexOptions,
    items: Vec<Item<'a>>,
    error: Option<String>,
    done: bool,
}

/// Scan `input` completely. The last item is `Eof` or `Error`.
pub(crate) fn lex<'a>(
    input: &'a str,
    left: &'a str,
    right: &'a str,
    options: LexOptions,
) -> (Vec<Item<'a>>, Option<String>) {
    let mut l = Lexer {
        input,
        left: if left.is_empty() { "{{" } else { left },
        right: if right.is_empty() { "}}" } else { right },
        pos: 0,
        start: 0,
        at_eof: false,
        paren_depth: 0,
        line: 1,
        start_line: 1,
        inside_action: false,
        options,
        items: Vec::new(),
        error: None,
        done: false,
    };
    let mut state = State::Text;
    while !l.done {
        state = match l.step(state) {
            Some(s) => s,
            None => {
                if l.inside_action {
                    State::InsideAction
                } else {
                    State::Text
                }
            }
        };
    }
    (l.items, l.error)
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        self.input.get(self.pos..).unwrap_or("")
    }

    fn next(&mut self) -> Option<char> {
        // Template actions are nearly all ASCII: take a byte below 0x80 as the character without decoding.
        if let Some(&b) = self.input.as_bytes().get(self.pos)
            && b.is_ascii()
        {
            self.pos += 1;
            if b == b'\n' {
                self.line += 1;
            }
            return Some(char::from(b));
        }
        match self.rest().chars().next() {
            None => {
                self.at_eof = true;
                None
            }
            Some(c) => {
                self.pos += c.len_utf8();
                if c == '\n' {
                    self.line += 1;
                }
                Some(c)
            }
        }
    }

    fn peek(&mut self) -> Option<char> {
        if !self.at_eof
            && let Some(&b) = self.input.as_bytes().get(self.pos)
            && b.is_ascii()
        {
            return Some(char::from(b));
        }
        let r = self.next();
        self.backup();
        r
    }

    fn backup(&mut self) {
        if !self.at_eof
            && self.pos > 0
            && let Some(&b) = self.input.as_bytes().get(self.pos - 1)
            && b.is_ascii()
        {
            self.pos -= 1;
            if b == b'\n' {
                self.line -= 1;
            }
            return;
        }
        if !self.at_eof
            && self.pos > 0
            && let Some(c) = self.input.get(..self.pos).and_then(|s| s.chars().next_back())
        {
            self.pos -= c.len_utf8();
            if c == '\n' {
                self.line -= 1;
            }
        }
    }

    fn this_item(&mut self, typ: ItemType) -> Item<'a> {
        let item = Item {
            typ,
            pos: self.start,
            val: self.input.get(self.start..self.pos).unwrap_or(""),
            line: self.start_line,
        };
        self.start = self.pos;
        self.start_line = self.line;
        item
    }

    /// Emit an item; the caller returns `None` so lexing resumes in the text or action state.
    fn emit_item(&mut self, item: Item<'a>) -> Option<State> {
        if item.typ == ItemType::Eof {
            self.done = true;
        }
        self.items.push(item);
        None
    }

    fn emit(&mut self, typ: ItemType) -> Option<State> {
        let item = self.this_item(typ);
        self.emit_item(item)
    }

    fn ignore(&mut self) {
        self.line += count_newlines(self.input.get(self.start..self.pos).unwrap_or(""));
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.next() {
            Some(c) if valid.contains(c) => true,
            _ => {
                self.backup();
                false
            }
        }
    }

    fn accept_run(&mut self, valid: &str) {
        loop {
            match self.next() {
                Some(c) if valid.contains(c) => {}
                _ => break,
            }
        }
        self.backup();
    }

    fn errorf(&mut self, msg: String) -> Option<State> {
        self.items.push(Item { typ: ItemType::Error, pos: self.start, val: "", line: self.start_line });
        self.error = Some(msg);
        self.done = true;
        None
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim_marker(rest) && rest.get(TRIM_MARKER_LEN..).is_some_and(|r| r.starts_with(self.right)) {
            return (true, true);
        }
        if rest.starts_with(self.right) {
            return (true, false);
        }
        (false, false)
    }

    fn at_terminator(&mut self) -> bool {
        let r = self.peek();
        if is_space(r) {
            return true;
        }
        match r {
            None | Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with(self.right),
        }
    }

    fn step(&mut self, state: State) -> Option<State> {
        match state {
            State::Text => self.lex_text(),
            State::LeftDelim => self.lex_left_delim(),
            State::Comment => self.lex_comment(),
            State::RightDelim => self.lex_right_delim(),
            State::InsideAction => self.lex_inside_action(),
            State::Space => self.lex_space(),
            State::Identifier => self.lex_identifier(),
            State::Field => self.lex_field_or_variable(ItemType::Field),
            State::Variable => {
                if self.at_terminator() {
                    return self.emit(ItemType::Variable);
                }
                self.lex_field_or_variable(ItemType::Variable)
            }
            State::Char => self.lex_char(),
            State::Number => self.lex_number(),
            State::Quote => self.lex_quote(),
            State::RawQuote => self.lex_raw_quote(),
        }
    }

    fn lex_text(&mut self) -> Option<State> {
        if let Some(x) = memchr::memmem::find(self.rest().as_bytes(), self.left.as_bytes()) {
            if x > 0 {
                self.pos += x;
                let mut trim_length = 0;
                let delim_end = self.pos + self.left.len();
                if has_left_trim_marker(self.input.get(delim_end..).unwrap_or("")) {
                    let text = self.input.get(self.start..self.pos).unwrap_or("");
                    trim_length = text.len() - text.trim_end_matches(SPACE_CHARS).len();
                }
                self.pos -= trim_length;
                self.line += count_newlines(self.input.get(self.start..self.pos).unwrap_or(""));
                let item = self.this_item(ItemType::Text);
                self.pos += trim_length;
                self.ignore();
                if !item.val.is_empty() {
                    self.emit_item(item);
                }
            }
            return Some(State::LeftDelim);
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.line += count_newlines(self.input.get(self.start..self.pos).unwrap_or(""));
            self.emit(ItemType::Text);
        }
        self.emit(ItemType::Eof)
    }

    fn lex_left_delim(&mut self) -> Option<State> {
        self.pos += self.left.len();
        let trim_space = has_left_trim_marker(self.rest());
        let after_marker = if trim_space { TRIM_MARKER_LEN } else { 0 };
        if self.input.get(self.pos + after_marker..).is_some_and(|r| r.starts_with("/*")) {
            self.pos += after_marker;
            self.ignore();
            return Some(State::Comment);
        }
        let item = self.this_item(ItemType::LeftDelim);
        self.inside_action = true;
        self.pos += after_marker;
        self.ignore();
        self.paren_depth = 0;
        self.emit_item(item)
    }

    fn lex_comment(&mut self) -> Option<State> {
        self.pos += 2;
        let Some(x) = memchr::memmem::find(self.rest().as_bytes(), b"*/") else {
            return self.errorf("unclosed comment".to_owned());
        };
        self.pos += x + 2;
        let (delim, trim_space) = self.at_right_delim();
        if !delim {
            return self.errorf("comment ends before closing delimiter".to_owned());
        }
        self.line += count_newlines(self.input.get(self.start..self.pos).unwrap_or(""));
        let item = self.this_item(ItemType::Comment);
        if trim_space {
            self.pos += TRIM_MARKER_LEN;
        }
        self.pos += self.right.len();
        if trim_space {
            let rest = self.rest();
            self.pos += rest.len() - rest.trim_start_matches(SPACE_CHARS).len();
        }
        self.ignore();
        if self.options.emit_comment {
            return self.emit_item(item);
        }
        Some(State::Text)
    }

    fn lex_right_delim(&mut self) -> Option<State> {
        let (_, trim_space) = self.at_right_delim();
        if trim_space {
            self.pos += TRIM_MARKER_LEN;
            self.ignore();
        }
        self.pos += self.right.len();
        let item = self.this_item(ItemType::RightDelim);
        if trim_space {
            let rest = self.rest();
            self.pos += rest.len() - rest.trim_start_matches(SPACE_CHARS).len();
            self.ignore();
        }
        self.inside_action = false;
        self.emit_item(item)
    }

    fn lex_inside_action(&mut self) -> Option<State> {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return Some(State::RightDelim);
            }
            return self.errorf("unclosed left paren".to_owned());
        }
        let r = self.next();
        match r {
            None => self.errorf("unclosed action".to_owned()),
            Some(c) if is_space(Some(c)) => {
                self.backup();
                Some(State::Space)
            }
            Some('=') => self.emit(ItemType::Assign),
            Some(':') => {
                if self.next() != Some('=') {
                    return self.errorf("expected :=".to_owned());
                }
                self.emit(ItemType::Declare)
            }
            Some('|') => self.emit(ItemType::Pipe),
            Some('"') => Some(State::Quote),
            Some('`') => Some(State::RawQuote),
            Some('$') => Some(State::Variable),
            Some('\'') => Some(State::Char),
            Some('.') => {
                if let Some(&b) = self.input.as_bytes().get(self.pos)
                    && !b.is_ascii_digit()
                {
                    return Some(State::Field);
                }
                self.backup();
                Some(State::Number)
            }
            Some(c) if c == '+' || c == '-' || c.is_ascii_digit() => {
                self.backup();
                Some(State::Number)
            }
            Some(c) if is_alphanumeric(Some(c)) => {
                self.backup();
                Some(State::Identifier)
            }
            Some('(') => {
                self.paren_depth += 1;
                self.emit(ItemType::LeftParen)
            }
            Some(')') => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.errorf("unexpected right paren".to_owned());
                }
                self.emit(ItemType::RightParen)
            }
            Some(c) if c.is_ascii() && strconv::is_print(c) => self.emit(ItemType::Char),
            Some(c) => self.errorf(format!("unrecognized character in action: {}", sharp_u(c))),
        }
    }

    fn lex_space(&mut self) -> Option<State> {
        let mut num_spaces = 0;
        loop {
            let r = self.peek();
            if !is_space(r) {
                break;
            }
            self.next();
            num_spaces += 1;
        }
        let from_last_space = self.input.get(self.pos.saturating_sub(1)..).unwrap_or("");
        if has_right_trim_marker(from_last_space)
            && from_last_space.get(TRIM_MARKER_LEN..).is_some_and(|r| r.starts_with(self.right))
        {
            self.backup();
            if num_spaces == 1 {
                return Some(State::RightDelim);
            }
        }
        self.emit(ItemType::Space)
    }

    /// Step over ASCII letters, digits and `_`, the usual run of an identifier or field name, without decoding
    /// characters one at a time; none of them is a line break. The caller's character loop handles the rest.
    fn skip_ascii_word(&mut self) {
        let rest = self.input.as_bytes().get(self.pos..).unwrap_or_default();
        self.pos += rest.iter().take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_').count();
    }

    fn lex_identifier(&mut self) -> Option<State> {
        self.skip_ascii_word();
        loop {
            let r = self.next();
            if is_alphanumeric(r) {
                continue;
            }
            self.backup();
            let word = self.input.get(self.start..self.pos).unwrap_or("");
            if !self.at_terminator() {
                return self
                    .errorf(format!("bad character {}", r.map_or_else(|| "U+FFFFFFFFFFFFFFFF".to_owned(), sharp_u)));
            }
            return match keyword(word) {
                Some(item) => {
                    if (item == ItemType::Break && !self.options.break_ok)
                        || (item == ItemType::Continue && !self.options.continue_ok)
                    {
                        self.emit(ItemType::Identifier)
                    } else {
                        self.emit(item)
                    }
                }
                None if word.starts_with('.') => self.emit(ItemType::Field),
                None if word == "true" || word == "false" => self.emit(ItemType::Bool),
                None => self.emit(ItemType::Identifier),
            };
        }
    }

    fn lex_field_or_variable(&mut self, typ: ItemType) -> Option<State> {
        if self.at_terminator() {
            return self.emit(if typ == ItemType::Variable { ItemType::Variable } else { ItemType::Dot });
        }
        let mut r;
        self.skip_ascii_word();
        loop {
            r = self.next();
            if !is_alphanumeric(r) {
                self.backup();
                break;
            }
        }
        if !self.at_terminator() {
            return self
                .errorf(format!("bad character {}", r.map_or_else(|| "U+FFFFFFFFFFFFFFFF".to_owned(), sharp_u)));
        }
        self.emit(typ)
    }

    fn lex_char(&mut self) -> Option<State> {
        loop {
            match self.next() {
                Some('\\') => {
                    let r = self.next();
                    if r.is_some() && r != Some('\n') {
                        continue;
                    }
                    return self.errorf("unterminated character constant".to_owned());
                }
                None | Some('\n') => {
                    return self.errorf("unterminated character constant".to_owned());
                }
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(ItemType::CharConstant)
    }

    fn lex_number(&mut self) -> Option<State> {
        if !self.scan_number() {
            let text = self.input.get(self.start..self.pos).unwrap_or("").to_owned();
            return self.errorf(format!("bad number syntax: {}", strconv::quote(&text)));
        }
        let sign = self.peek();
        if sign == Some('+') || sign == Some('-') {
            if !self.scan_number() || self.input.as_bytes().get(self.pos.wrapping_sub(1)) != Some(&b'i') {
                let text = self.input.get(self.start..self.pos).unwrap_or("").to_owned();
                return self.errorf(format!("bad number syntax: {}", strconv::quote(&text)));
            }
            return self.emit(ItemType::Complex);
        }
        self.emit(ItemType::Number)
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if is_alphanumeric(self.peek()) {
            self.next();
            return false;
        }
        true
    }

    fn lex_quote(&mut self) -> Option<State> {
        loop {
            // Skip to the next character that matters: the quote, a backslash or a line break.
            if let Some(rest) = self.input.as_bytes().get(self.pos..) {
                self.pos += memchr::memchr3(b'"', b'\\', b'\n', rest).unwrap_or(rest.len());
            }
            match self.next() {
                Some('\\') => {
                    let r = self.next();
                    if r.is_some() && r != Some('\n') {
                        continue;
                    }
                    return self.errorf("unterminated quoted string".to_owned());
                }
                None | Some('\n') => return self.errorf("unterminated quoted string".to_owned()),
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(ItemType::String)
    }

    fn lex_raw_quote(&mut self) -> Option<State> {
        loop {
            match self.next() {
                None => return self.errorf("unterminated raw quoted string".to_owned()),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(ItemType::RawString)
    }
}

/// Line breaks in `s`. Templates hold megabytes of plain text (CRDs), so this counts in byte-wide lanes that the
/// compiler turns into SIMD compares, folding the lanes into the total before any of them can overflow.
fn count_newlines(s: &str) -> usize {
    const LANES: usize = 32;
    let mut total = 0;
    for block in s.as_bytes().chunks(255 * LANES) {
        let mut acc = [0u8; LANES];
        let mut words = block.chunks_exact(LANES);
        for w in &mut words {
            for (a, &b) in acc.iter_mut().zip(w) {
                *a += u8::from(b == b'\n');
            }
        }
        total += acc.iter().map(|&a| usize::from(a)).sum::<usize>();
        total += words.remainder().iter().filter(|&&b| b == b'\n').count();
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: LexOptions = LexOptions { emit_comment: false, break_ok: true, continue_ok: true };

    #[test]
    fn newline_count_matches_a_plain_count_at_every_length() {
        let text: String = (0..20_000).map(|i| if i % 7 == 0 || i % 251 == 3 { '\n' } else { 'x' }).collect();
        for end in [0, 1, 31, 32, 33, 255 * 32 - 1, 255 * 32, 255 * 32 + 1, 9000, 20_000] {
            let s = &text[..end];
            assert_eq!(count_newlines(s), s.bytes().filter(|&b| b == b'\n').count(), "length {end}");
        }
        let all = "\n".repeat(255 * 32 * 2 + 5);
        assert_eq!(count_newlines(&all), all.len());
    }

    fn kinds(input: &str) -> Vec<(ItemType, String)> {
        let (items, err) = lex(input, "", "", OPTS);
        items
            .into_iter()
            .map(|i| {
                let val = if i.typ == ItemType::Error { err.clone().unwrap_or_default() } else { i.val.to_owned() };
                (i.typ, val)
            })
            .collect()
    }

    #[test]
    fn trim_markers_and_fields() {
        use ItemType::{Eof, Field, LeftDelim, RightDelim, Text};
        let got = kinds("a  {{- .X.y -}}  b");
        let want: Vec<(ItemType, String)> = vec![
            (Text, "a".into()),
            (LeftDelim, "{{".into()),
            (Field, ".X".into()),
            (Field, ".y".into()),
            (RightDelim, "}}".into()),
            (Text, "b".into()),
            (Eof, String::new()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn numbers_and_errors() {
        use ItemType::{Char, Complex, Identifier, Number};
        assert_eq!(kinds("{{3-1}}").last().map(|i| i.1.clone()), Some("bad number syntax: \"3-1\"".into()));
        assert_eq!(kinds("{{1+2i}}")[1], (Complex, "1+2i".into()));
        assert_eq!(kinds("{{-3}}")[1], (Number, "-3".into()));
        assert_eq!(kinds("{{").last().map(|i| i.1.clone()), Some("unclosed action".into()));
        assert_eq!(kinds("{{é}}")[1], (Identifier, "é".into()));
        assert_eq!(kinds("{{#}}")[1], (Char, "#".into()));
    }

    #[test]
    fn comments_are_skipped() {
        use ItemType::{Eof, Text};
        let got = kinds("x {{- /* c */ -}} y");
        assert_eq!(got, vec![(Text, "x".into()), (Text, "y".into()), (Eof, String::new())]);
    }
}
