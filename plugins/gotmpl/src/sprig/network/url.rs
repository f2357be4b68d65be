//! The parts of Go's `net/url` that Sprig's `urlParse` and `urlJoin` use: `url.Parse` (with its validation and
//! error texts), `URL.String`, `URL.Hostname` and `Userinfo.String`, following Go 1.25 (the toolchain of Helm
//! v4.1.4).
//!
//! Go strings are byte strings: a percent-escape may decode to bytes that are not UTF-8. Template values here are
//! UTF-8 strings, so such bytes are replaced by U+FFFD when a decoded component is handed back to a template.

use crate::strconv::quote;

use super::ip;

/// Which part of a URL is being escaped or unescaped (Go's `encoding` modes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

/// Go's `shouldEscape`.
fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Mode::Host | Mode::Zone)
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => return c == b'?',
            Mode::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => return false,
            Mode::Host | Mode::Zone => {}
        },
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn unhex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Go's `unescape` (never in query-component mode here, so `+` stays `+`).
fn unescape(s: &[u8], mode: Mode) -> Result<Vec<u8>, String> {
    let escape_error = |from: usize| {
        let end = (from + 3).min(s.len());
        format!("invalid URL escape {}", quote(&String::from_utf8_lossy(&s[from..end])))
    };
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                let (Some(h), Some(l)) = (s.get(i + 1).copied().and_then(unhex), s.get(i + 2).copied().and_then(unhex))
                else {
                    return Err(escape_error(i));
                };
                let is25 = h == 2 && l == 5;
                if mode == Mode::Host && h < 8 && !is25 {
                    return Err(escape_error(i));
                }
                if mode == Mode::Zone {
                    let v = (h << 4) | l;
                    if !is25 && v != b' ' && should_escape(v, Mode::Host) {
                        return Err(escape_error(i));
                    }
                }
                i += 3;
            }
            c => {
                if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && should_escape(c, mode) {
                    return Err(format!(
                        "invalid character {} in host name",
                        quote(&String::from_utf8_lossy(&s[i..i + 1]))
                    ));
                }
                i += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            let h = s.get(i + 1).copied().and_then(unhex).unwrap_or(0);
            let l = s.get(i + 2).copied().and_then(unhex).unwrap_or(0);
            out.push((h << 4) | l);
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Go's `escape`.
fn escape(s: &[u8], mode: Mode) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        if should_escape(c, mode) {
            out.extend_from_slice(&[b'%', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
        } else {
            out.push(c);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's `url.Userinfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Userinfo {
    username: Vec<u8>,
    password: Option<Vec<u8>>,
}

impl Userinfo {
    /// `Userinfo.String`: `user[:password]`, escaped.
    pub(crate) fn encoded(&self) -> String {
        let mut s = escape(&self.username, Mode::UserPassword);
        if let Some(p) = &self.password {
            s.push(':');
            s.push_str(&escape(p, Mode::UserPassword));
        }
        s
    }
}

/// Go's `url.URL` (the fields Sprig reads or sets). Decoded fields hold bytes, as Go strings do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Url {
    pub(crate) scheme: String,
    pub(crate) opaque: String,
    pub(crate) user: Option<Userinfo>,
    pub(crate) host: Vec<u8>,
    pub(crate) path: Vec<u8>,
    raw_path: String,
    pub(crate) raw_query: String,
    pub(crate) fragment: Vec<u8>,
    raw_fragment: String,
    force_query: bool,
    omit_host: bool,
}

/// Lossy UTF-8 for handing decoded bytes back to templates.
pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl Url {
    /// `url.Parse`. The error is the text of Go's `*url.Error`: `parse "RAW": REASON`.
    pub(crate) fn parse(raw: &str) -> Result<Url, String> {
        let (u, frag) = match raw.split_once('#') {
            Some((u, f)) => (u, Some(f)),
            None => (raw, None),
        };
        let mut url = parse_inner(u).map_err(|e| format!("parse {}: {e}", quote(u)))?;
        if let Some(frag) = frag
            && !frag.is_empty()
        {
            let f = unescape(frag.as_bytes(), Mode::Fragment).map_err(|e| format!("parse {}: {e}", quote(raw)))?;
            url.raw_fragment = if escape(&f, Mode::Fragment) == frag { String::new() } else { frag.to_string() };
            url.fragment = f;
        }
        Ok(url)
    }

    /// A URL built from its parts, as Sprig's `urlJoin` does with a struct literal.
    pub(crate) fn from_parts(
        scheme: &str,
        host: &str,
        path: &str,
        query: &str,
        opaque: &str,
        fragment: &str,
        user: Option<Userinfo>,
    ) -> Url {
        Url {
            scheme: scheme.to_string(),
            opaque: opaque.to_string(),
            user,
            host: host.as_bytes().to_vec(),
            path: path.as_bytes().to_vec(),
            raw_query: query.to_string(),
            fragment: fragment.as_bytes().to_vec(),
            ..Url::default()
        }
    }

    /// `URL.Hostname`: the host without a valid `:port` and without IPv6 brackets.
    pub(crate) fn hostname(&self) -> Vec<u8> {
        let mut host: &[u8] = &self.host;
        if let Some(colon) = host.iter().rposition(|&c| c == b':')
            && host[colon + 1..].iter().all(u8::is_ascii_digit)
        {
            host = &host[..colon];
        }
        if host.len() >= 2 && host.first() == Some(&b'[') && host.last() == Some(&b']') {
            host = &host[1..host.len() - 1];
        }
        host.to_vec()
    }

    /// `URL.EscapedPath`.
    fn escaped_path(&self) -> String {
        if !self.raw_path.is_empty()
            && valid_encoded(self.raw_path.as_bytes(), Mode::Path)
            && unescape(self.raw_path.as_bytes(), Mode::Path).is_ok_and(|p| p == self.path)
        {
            return self.raw_path.clone();
        }
        if self.path == b"*" {
            return "*".to_string();
        }
        escape(&self.path, Mode::Path)
    }

    /// `URL.EscapedFragment`.
    fn escaped_fragment(&self) -> String {
        if !self.raw_fragment.is_empty()
            && valid_encoded(self.raw_fragment.as_bytes(), Mode::Fragment)
            && unescape(self.raw_fragment.as_bytes(), Mode::Fragment).is_ok_and(|f| f == self.fragment)
        {
            return self.raw_fragment.clone();
        }
        escape(&self.fragment, Mode::Fragment)
    }

    /// `URL.String`.
    pub(crate) fn to_go_string(&self) -> String {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            let has_authority = !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some();
            let omitted = self.omit_host && self.host.is_empty() && self.user.is_none();
            if has_authority && !omitted {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if let Some(u) = &self.user {
                    buf.push_str(&u.encoded());
                    buf.push('@');
                }
                if !self.host.is_empty() {
                    buf.push_str(&escape(&self.host, Mode::Host));
                }
            }
            let path = self.escaped_path();
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() {
                let segment = path.split('/').next().unwrap_or("");
                if segment.contains(':') {
                    buf.push_str("./");
                }
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&self.escaped_fragment());
        }
        buf
    }
}

/// Go's `validEncoded`.
fn valid_encoded(s: &[u8], mode: Mode) -> bool {
    s.iter().all(|&c| {
        matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'['
                | b']'
                | b'%'
        ) || !should_escape(c, mode)
    })
}

/// Go's `getScheme`: `(scheme, rest)`.
fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Ok(("", raw));
                }
            }
            b':' => {
                if i == 0 {
                    return Err("missing protocol scheme".to_string());
                }
                return Ok((&raw[..i], &raw[i + 1..]));
            }
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

/// Go's `parse(rawURL, viaRequest=false)`.
fn parse_inner(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".to_string());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = b"*".to_vec();
        return Ok(url);
    }
    let (scheme, mut rest) = get_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        rest = r;
        url.raw_query = q.to_string();
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_string();
            return Ok(url);
        }
        if rest.split('/').next().unwrap_or("").contains(':') {
            return Err("first path segment in URL cannot contain colon".to_string());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority_and_path = &rest[2..];
        let (authority, path) = match authority_and_path.find('/') {
            Some(i) => (&authority_and_path[..i], &authority_and_path[i..]),
            None => (authority_and_path, ""),
        };
        let (user, host) = parse_authority(&url.scheme, authority)?;
        url.user = user;
        url.host = host;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    let path = unescape(rest.as_bytes(), Mode::Path)?;
    url.raw_path = if escape(&path, Mode::Path) == rest { String::new() } else { rest.to_string() };
    url.path = path;
    Ok(url)
}

/// Go's `validUserinfo`.
fn valid_userinfo(s: &str) -> bool {
    s.chars().all(|r| {
        r.is_ascii_alphanumeric()
            || matches!(
                r,
                '-' | '.'
                    | '_'
                    | ':'
                    | '~'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
                    | '%'
                    | '@'
            )
    })
}

/// Go's `parseAuthority`.
fn parse_authority(scheme: &str, authority: &str) -> Result<(Option<Userinfo>, Vec<u8>), String> {
    let at = authority.rfind('@');
    let host = parse_host(scheme, at.map_or(authority, |i| &authority[i + 1..]))?;
    let Some(i) = at else {
        return Ok((None, host));
    };
    let userinfo = &authority[..i];
    if !valid_userinfo(userinfo) {
        return Err("net/url: invalid userinfo".to_string());
    }
    let user = match userinfo.split_once(':') {
        None => Userinfo { username: unescape(userinfo.as_bytes(), Mode::UserPassword)?, password: None },
        Some((u, p)) => Userinfo {
            username: unescape(u.as_bytes(), Mode::UserPassword)?,
            password: Some(unescape(p.as_bytes(), Mode::UserPassword)?),
        },
    };
    Ok((Some(user), host))
}

/// Go's `validOptionalPort`: empty, or `:` followed by digits.
fn valid_optional_port(port: &str) -> bool {
    port.is_empty() || (port.starts_with(':') && port[1..].bytes().all(|b| b.is_ascii_digit()))
}

/// Go's `parseHost` (Go 1.25: a host with several colons is split at the last one, whatever the scheme).
fn parse_host(_scheme: &str, host: &str) -> Result<Vec<u8>, String> {
    match host.rfind('[') {
        Some(i) if i > 0 => return Err("invalid IP-literal".to_string()),
        Some(_) => {
            let Some(close) = host.rfind(']') else {
                return Err("missing ']' in host".to_string());
            };
            let colon_port = &host[close + 1..];
            if !valid_optional_port(colon_port) {
                return Err(format!("invalid port {} after host", quote(colon_port)));
            }
            let port = unescape(colon_port.as_bytes(), Mode::Host)?;
            let hostname = host.get(1..close).unwrap_or("");
            let unescaped = match hostname.find("%25") {
                Some(z) => {
                    let mut h = unescape(&hostname.as_bytes()[..z], Mode::Host)?;
                    h.extend(unescape(&hostname.as_bytes()[z..], Mode::Zone)?);
                    h
                }
                None => unescape(hostname.as_bytes(), Mode::Host)?,
            };
            match ip::parse_addr(&String::from_utf8_lossy(&unescaped)) {
                Err(e) => return Err(format!("invalid host: {e}")),
                Ok(ip::Addr::V4(_)) => return Err("invalid IP-literal".to_string()),
                Ok(ip::Addr::V6(..)) => {}
            }
            let mut out = b"[".to_vec();
            out.extend(unescaped);
            out.push(b']');
            out.extend(port);
            return Ok(out);
        }
        None => {}
    }
    if let Some(i) = host.rfind(':') {
        let colon_port = &host[i..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {} after host", quote(colon_port)));
        }
    }
    unescape(host.as_bytes(), Mode::Host)
}

/// Parse a `userinfo` the way Sprig's `urlJoin` does: as the user of `proto://USERINFO@host`.
pub(crate) fn parse_userinfo(userinfo: &str) -> Result<Option<Userinfo>, String> {
    Url::parse(&format!("proto://{userinfo}@host")).map(|u| u.user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_common_urls() {
        for s in ["https://example.com:8443/path?q=1&r=2#frag", "mailto:joe@x.org", "/a/b?c", "http://u:p@h/x%20y"] {
            assert_eq!(Url::parse(s).map(|u| u.to_go_string()), Ok(s.to_string()));
        }
        assert_eq!(Url::parse("http://[::1]:80/").map(|u| text(&u.hostname())), Ok("::1".to_string()));
    }
}
