//! Keeping credentials out of logs, errors and the cache.
//!
//! Every URL that can reach a message goes through [`RedactedUrl`], which drops the user-info part and masks query
//! parameters that commonly carry secrets; [`Secret`] holds passwords and tokens and never prints them; [`scrub`]
//! cleans free text that came from elsewhere (a `git` error message, a server's error body).

use std::fmt;

use url::Url;

/// A password or token. `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The secret itself, for building a request header or a child process's environment.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Query parameter names whose values are masked when a URL is shown.
fn sensitive_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["token", "sig", "signature", "secret", "password", "passwd", "auth", "credential", "key", "session"]
        .iter()
        .any(|w| n.contains(w))
        || n.starts_with("x-amz-")
        || n.starts_with("x-goog-")
}

/// A URL that displays without credentials: no user name or password, secret-looking query values masked.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedactedUrl(Url);

impl RedactedUrl {
    /// Wraps a URL, removing its user-info part.
    pub fn new(url: &Url) -> RedactedUrl {
        let mut u = url.clone();
        // Both calls only fail for URLs that cannot have credentials (e.g. `file:`), which then have none.
        let _ = u.set_username("");
        let _ = u.set_password(None);
        if u.query().is_some() {
            let pairs: Vec<(String, String)> = u
                .query_pairs()
                .map(|(k, v)| {
                    let v = if sensitive_param(&k) { "***".to_owned() } else { v.into_owned() };
                    (k.into_owned(), v)
                })
                .collect();
            u.query_pairs_mut().clear().extend_pairs(pairs);
        }
        RedactedUrl(u)
    }
    /// The URL without credentials (query values masked).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl fmt::Debug for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedactedUrl({})", self.0.as_str())
    }
}

impl From<&Url> for RedactedUrl {
    fn from(u: &Url) -> RedactedUrl {
        RedactedUrl::new(u)
    }
}

/// Removes credentials from free text: `scheme://user:pass@host` user-info, `Authorization`-style `Basic`/`Bearer`
/// values, and `password=`/`token=` assignments.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // user-info inside URLs
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail.find(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'').unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***@");
                out.push_str(&authority[at + 1..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    mask_words(&out)
}

fn mask_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut mask_next = false;
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if mask_next && !word.is_empty() {
            out.push_str("***");
            mask_next = false;
            continue;
        }
        let lower = word.to_ascii_lowercase();
        if lower == "basic" || lower == "bearer" {
            mask_next = true;
            out.push_str(word);
            continue;
        }
        match word.split_once('=') {
            Some((k, _))
                if ["password", "passwd", "token", "secret"].iter().any(|w| k.to_ascii_lowercase().contains(w)) =>
            {
                out.push_str(k);
                out.push_str("=***");
            }
            _ => out.push_str(word),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_credentials() {
        let u = Url::parse("https://alice:s3cret@example.test/charts/index.yaml?X-Amz-Signature=abc&v=1").unwrap();
        let r = RedactedUrl::new(&u).to_string();
        assert!(!r.contains("alice") && !r.contains("s3cret") && !r.contains("abc"), "{r}");
        assert!(r.contains("v=1"));
    }

    #[test]
    fn free_text() {
        let s = scrub("fatal: unable to access 'https://bob:tok@host.test/r.git/': 401, Authorization: Bearer xyz");
        assert!(!s.contains("bob") && !s.contains("tok@") && !s.contains("xyz"), "{s}");
        assert!(s.contains("host.test/r.git"));
        assert_eq!(scrub("password=hunter2 ok"), "password=*** ok");
        assert_eq!(format!("{:?}", Secret::new("x")), "Secret(***)");
    }
}
