//! Glob patterns as `.Files.Glob` reads them (`github.com/gobwas/glob` with `/` as the separator).
//!
//! `*` matches any run of characters except `/`, `**` any run including `/`, `?` one character except `/`,
//! `[abc]`/`[a-z]` one character of a class (`[!...]` negates), `{a,b}` one of the alternatives (which may contain
//! patterns themselves), `\` escapes the next character.

use regex::Regex;

/// A compiled glob.
#[derive(Debug, Clone)]
pub struct Glob {
    re: Regex,
}

/// The pattern is malformed (unclosed class or braces, dangling escape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadGlob;

impl Glob {
    /// Compile a pattern.
    pub fn compile(pattern: &str) -> Result<Glob, BadGlob> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let body = translate(&chars, &mut pos, 0)?;
        if pos != chars.len() {
            return Err(BadGlob);
        }
        let re = Regex::new(&format!("^(?s:{body})$")).map_err(|_| BadGlob)?;
        Ok(Glob { re })
    }

    /// A glob matching everything (`**`), Helm's fallback for malformed patterns.
    pub fn match_all() -> Glob {
        Glob { re: Regex::new("(?s:.*)").unwrap_or_else(|e| unreachable!("static regex: {e}")) }
    }

    /// Whether `name` matches.
    pub fn is_match(&self, name: &str) -> bool {
        self.re.is_match(name)
    }
}

/// Translate from `pos` until the end, or (inside braces, `depth > 0`) until an unnested `,` or `}`.
fn translate(chars: &[char], pos: &mut usize, depth: usize) -> Result<String, BadGlob> {
    let mut out = String::new();
    while let Some(&c) = chars.get(*pos) {
        match c {
            ',' | '}' if depth > 0 => return Ok(out),
            '*' => {
                if chars.get(*pos + 1) == Some(&'*') {
                    while chars.get(*pos) == Some(&'*') {
                        *pos += 1;
                    }
                    out.push_str(".*");
                } else {
                    *pos += 1;
                    out.push_str("[^/]*");
                }
            }
            '?' => {
                *pos += 1;
                out.push_str("[^/]");
            }
            '\\' => {
                let n = chars.get(*pos + 1).ok_or(BadGlob)?;
                out.push_str(&regex::escape(&n.to_string()));
                *pos += 2;
            }
            '[' => {
                *pos += 1;
                let negate = chars.get(*pos) == Some(&'!');
                if negate {
                    *pos += 1;
                }
                let mut class = String::new();
                let mut closed = false;
                while let Some(&c) = chars.get(*pos) {
                    *pos += 1;
                    match c {
                        ']' => {
                            closed = true;
                            break;
                        }
                        '-' if !class.is_empty() => class.push('-'),
                        '\\' => {
                            let n = chars.get(*pos).ok_or(BadGlob)?;
                            *pos += 1;
                            class.push_str(&escape_class(*n));
                        }
                        c => class.push_str(&escape_class(c)),
                    }
                }
                if !closed || class.is_empty() {
                    return Err(BadGlob);
                }
                out.push('[');
                if negate {
                    out.push('^');
                }
                out.push_str(&class);
                out.push(']');
            }
            '{' => {
                *pos += 1;
                let mut alts = Vec::new();
                loop {
                    alts.push(translate(chars, pos, depth + 1)?);
                    match chars.get(*pos) {
                        Some(',') => *pos += 1,
                        Some('}') => {
                            *pos += 1;
                            break;
                        }
                        _ => return Err(BadGlob),
                    }
                }
                out.push_str("(?:");
                out.push_str(&alts.join("|"));
                out.push(')');
            }
            c => {
                *pos += 1;
                out.push_str(&regex::escape(&c.to_string()));
            }
        }
    }
    if depth > 0 {
        return Err(BadGlob);
    }
    Ok(out)
}

fn escape_class(c: char) -> String {
    match c {
        '\\' | ']' | '[' | '^' | '-' | '&' | '~' => format!("\\{c}"),
        c => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gobwas_semantics() {
        let m = |p: &str, n: &str| Glob::compile(p).unwrap().is_match(n);
        assert!(m("files/*.txt", "files/a.txt"));
        assert!(!m("files/*.txt", "files/x/a.txt"));
        assert!(m("files/**", "files/x/a.txt"));
        assert!(m("**.yaml", "a/b/c.yaml"));
        assert!(m("{a,b}/*", "b/x"));
        assert!(m("[!a]x", "bx"));
        assert!(!m("[!a]x", "ax"));
        assert!(m("f?le", "file"));
        assert!(Glob::compile("[abc").is_err());
        assert!(Glob::compile("{a,b").is_err());
    }
}
