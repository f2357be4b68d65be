//! `.helmignore`: which files of a chart directory Helm leaves out (`pkg/ignore`).
//!
//! Rules are evaluated in order and the first match decides. A rule without `/` matches the base name, a rule with
//! `/` the whole path relative to the chart root (a leading `/` anchors it, which changes nothing else); a trailing `/`
//! makes it match directories only. A rule starting with `!` is Helm's peculiar negation: a path that does **not**
//! match it is ignored. `**` is rejected. The default rule `templates/.?*` (dot files in `templates/`) is appended.
//! Patterns use Go's `filepath.Match` syntax.

/// An invalid `.helmignore`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IgnoreError {
    /// A rule uses `**`.
    #[error("double-star (**) syntax is not supported")]
    DoubleStar,
    /// A rule is not a valid pattern.
    #[error("syntax error in pattern")]
    BadPattern,
}

/// Decisions already made on directories, keyed by path (see [`Rules::ignore_file_with`]).
#[derive(Debug, Default)]
pub struct DirMemo(std::collections::HashMap<String, bool>);

#[derive(Debug, Clone)]
struct Rule {
    pattern: String,
    shape: Shape,
    negate: bool,
    must_dir: bool,
    base_only: bool,
}

/// How a pattern can be matched. Nearly every `.helmignore` line is a plain name (`.git`, `OWNERS`) or a star before
/// a plain suffix (`*.swp`, `*~`); matching those directly gives `filepath.Match`'s answer without walking the name
/// once per star position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// No metacharacters: the name must equal the pattern.
    Literal,
    /// `*` and a suffix without metacharacters: the name ends with the suffix and has no `/` before it.
    StarSuffix,
    /// Anything else: [`glob_match`].
    General,
}

impl Shape {
    fn of(pattern: &str) -> Shape {
        let meta = |c: char| matches!(c, '*' | '?' | '[' | '\\');
        if !pattern.contains(meta) {
            Shape::Literal
        } else if pattern.strip_prefix('*').is_some_and(|rest| !rest.contains(meta)) {
            Shape::StarSuffix
        } else {
            Shape::General
        }
    }
}

impl Rule {
    fn matches(&self, subject: &str) -> bool {
        match self.shape {
            Shape::Literal => subject == self.pattern,
            Shape::StarSuffix => {
                let suffix = &self.pattern[1..];
                subject.strip_suffix(suffix).is_some_and(|head| !head.contains('/'))
            }
            Shape::General => glob_match(&self.pattern, subject).unwrap_or(false),
        }
    }
}

/// A parsed set of rules.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// Parse the text of a `.helmignore` file (a leading UTF-8 BOM is ignored).
    pub fn parse(text: &str) -> Result<Rules, IgnoreError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut r = Rules::default();
        for line in text.split('\n') {
            r.add(line)?;
        }
        Ok(r)
    }

    /// Append Helm's default rules.
    pub fn add_defaults(&mut self) {
        // A constant, valid rule.
        let _ = self.add("templates/.?*");
    }

    fn add(&mut self, rule: &str) -> Result<(), IgnoreError> {
        let rule = rule.trim_matches(|c: char| c.is_whitespace());
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(IgnoreError::DoubleStar);
        }
        // Like Helm, reject patterns that cannot compile (checked against a non-empty name).
        glob_match(rule, "abc")?;
        let (negate, rule) = match rule.strip_prefix('!') {
            Some(r) => (true, r),
            None => (false, rule),
        };
        let (must_dir, rule) = match rule.strip_suffix('/') {
            Some(r) => (true, r),
            None => (false, rule),
        };
        let (base_only, pattern) =
            if let Some(r) = rule.strip_prefix('/') { (false, r) } else { (!rule.contains('/'), rule) };
        self.rules.push(Rule { pattern: pattern.to_owned(), shape: Shape::of(pattern), negate, must_dir, base_only });
        Ok(())
    }

    /// Whether `path` (relative to the chart root, `/`-separated) is ignored; `is_dir` tells whether it is a
    /// directory.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for r in &self.rules {
            let subject = if r.base_only { path.rsplit('/').next().unwrap_or(path) } else { path };
            if r.negate {
                if r.must_dir && !is_dir {
                    return true;
                }
                if !r.matches(subject) {
                    return true;
                }
                continue;
            }
            if r.must_dir && !is_dir {
                continue;
            }
            if r.matches(subject) {
                return true;
            }
        }
        false
    }

    /// Whether a file at `path` is left out by a directory walk: one of its parent directories is ignored (the walk
    /// skips it whole) or the file itself is.
    pub fn ignore_file(&self, path: &str) -> bool {
        self.ignore_file_with(path, &mut DirMemo::default())
    }

    /// [`Rules::ignore_file`] with the decisions on directories remembered in `memo` across the files of a chart.
    pub fn ignore_file_with(&self, path: &str, memo: &mut DirMemo) -> bool {
        let mut end = 0;
        while let Some(i) = path.get(end..).and_then(|s| s.find('/')) {
            let dir = path.get(..end + i).unwrap_or(path);
            let ignored = match memo.0.get(dir) {
                Some(&known) => known,
                None => {
                    let decided = self.ignore(dir, true);
                    memo.0.insert(dir.to_owned(), decided);
                    decided
                }
            };
            if ignored {
                return true;
            }
            end += i + 1;
        }
        self.ignore(path, false)
    }
}

/// Go's `filepath.Match` with `/` as the separator: `*` matches any run of non-`/` characters, `?` one non-`/`
/// character, `[...]` a class (`^` negates, `a-z` ranges), `\` escapes.
pub fn glob_match(pattern: &str, name: &str) -> Result<bool, IgnoreError> {
    let mut pattern = pattern;
    let mut name = name;
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains('/'));
        }
        let (t, ok) = match_chunk(chunk, name)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            for (i, c) in name.char_indices() {
                if c == '/' {
                    break;
                }
                let after = name.get(i + c.len_utf8()..).unwrap_or("");
                let (t, ok) = match_chunk(chunk, after)?;
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
            }
        }
        // Before failing, check that the rest of the pattern is well-formed.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, "")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Split off the next chunk: leading stars, then text up to the next unescaped `*` outside brackets.
fn scan_chunk(pattern: &str) -> (bool, &str, &str) {
    let mut star = false;
    let mut p = pattern;
    while let Some(r) = p.strip_prefix('*') {
        p = r;
        star = true;
    }
    let mut in_range = false;
    let mut end = p.len();
    let mut chars = p.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' => in_range = true,
            ']' => in_range = false,
            '*' if !in_range => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    (star, p.get(..end).unwrap_or(p), p.get(end..).unwrap_or(""))
}

/// Match `chunk` (no `*`) against a prefix of `s`; returns the rest of `s` and whether it matched.
fn match_chunk<'a>(chunk: &str, s: &'a str) -> Result<(&'a str, bool), IgnoreError> {
    let mut failed = false;
    let mut s = s;
    let mut chunk = chunk;
    while !chunk.is_empty() {
        let mut cc = chunk.chars();
        let Some(first) = cc.next() else { break };
        match first {
            '[' => {
                // Go decodes a rune from `s`; from an empty string that is U+FFFD.
                let mut r = '\u{FFFD}';
                if !failed && let Some(c) = s.chars().next() {
                    r = c;
                    s = s.get(c.len_utf8()..).unwrap_or("");
                }
                chunk = cc.as_str();
                let negated = if let Some(rest) = chunk.strip_prefix('^') {
                    chunk = rest;
                    true
                } else {
                    false
                };
                let mut matched = false;
                let mut n = 0;
                loop {
                    if let Some(rest) = chunk.strip_prefix(']')
                        && n > 0
                    {
                        chunk = rest;
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if let Some(rest) = chunk.strip_prefix('-') {
                        let (h, rest) = get_esc(rest)?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    n += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    match s.chars().next() {
                        Some(c) if c != '/' => s = s.get(c.len_utf8()..).unwrap_or(""),
                        _ => failed = true,
                    }
                }
                chunk = cc.as_str();
            }
            '\\' => {
                let Some(esc) = cc.next() else {
                    return Err(IgnoreError::BadPattern);
                };
                chunk = cc.as_str();
                if !failed {
                    match s.strip_prefix(esc) {
                        Some(rest) => s = rest,
                        None => failed = true,
                    }
                }
            }
            c => {
                chunk = cc.as_str();
                if !failed {
                    match s.strip_prefix(c) {
                        Some(rest) => s = rest,
                        None => failed = true,
                    }
                }
            }
        }
    }
    if failed { Ok(("", false)) } else { Ok((s, true)) }
}

/// One possibly escaped character of a class.
fn get_esc(chunk: &str) -> Result<(char, &str), IgnoreError> {
    let mut cc = chunk.chars();
    let c = cc.next().ok_or(IgnoreError::BadPattern)?;
    if c == '-' || c == ']' {
        return Err(IgnoreError::BadPattern);
    }
    let c = if c == '\\' { cc.next().ok_or(IgnoreError::BadPattern)? } else { c };
    let rest = cc.as_str();
    if rest.is_empty() {
        return Err(IgnoreError::BadPattern);
    }
    Ok((c, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_match_semantics() {
        let m = |p: &str, n: &str| glob_match(p, n).unwrap();
        assert!(m("*.md", "README.md"));
        assert!(!m("*.md", "docs/README.md"));
        assert!(m("templates/.?*", "templates/.hidden"));
        assert!(!m("templates/.?*", "templates/."));
        assert!(m("a[bc]d", "acd"));
        assert!(m("a[^bc]d", "axd"));
        assert!(!m("a[^bc]d", "abd"));
        assert!(m("a[a-z]", "aq"));
        assert!(m("\\*x", "*x"));
        assert!(m("*", "abc"));
        assert!(!m("*", "a/b"));
        assert!(m("a*/b", "abc/b"));
        assert!(glob_match("[", "x").is_err());
    }

    #[test]
    fn direct_shapes_agree_with_go_match() {
        let patterns = ["*.swp", "*~", "*", ".git", "OWNERS", "*/x", "*.tar.gz", "a*", "?x", "[ab]", "\\*x", "*\\~"];
        let names = [
            "", "a", "x.swp", ".swp", "a/x.swp", "swp", "f~", "~", "a/~", ".git", ".gitx", "OWNERS", "a/x", "ab/x",
            "a/b/x", "x.tar.gz", "tar.gz", "*x", "é.swp", "a/é~",
        ];
        for p in patterns {
            let rule =
                Rule { pattern: p.to_owned(), shape: Shape::of(p), negate: false, must_dir: false, base_only: false };
            for n in names {
                assert_eq!(rule.matches(n), glob_match(p, n).unwrap_or(false), "pattern {p:?} name {n:?}");
            }
        }
        assert_eq!(Shape::of("*.swp"), Shape::StarSuffix);
        assert_eq!(Shape::of(".git"), Shape::Literal);
        assert_eq!(Shape::of("templates/.?*"), Shape::General);
    }

    #[test]
    fn rules() {
        let mut r = Rules::parse("# comment\n*.md\n/ci/\n.git/\nsecret.txt\n").unwrap();
        r.add_defaults();
        assert!(r.ignore_file("README.md"));
        assert!(r.ignore_file("docs/guide.md"));
        assert!(r.ignore_file("ci/values.yaml"));
        assert!(!r.ignore_file("templates/ci/x.yaml"));
        assert!(r.ignore_file(".git/config"));
        assert!(r.ignore_file("templates/.swp"));
        assert!(!r.ignore_file("templates/a.yaml"));
        assert!(!r.ignore_file("charts/sub/templates/.swp"));
        assert!(Rules::parse("a/**/b").is_err());
    }

    #[test]
    fn negation_is_helms() {
        // A path that does not match a negated rule is ignored.
        let r = Rules::parse("!keep.txt").unwrap();
        assert!(r.ignore_file("other.txt"));
        assert!(!r.ignore_file("keep.txt"));
    }
}
