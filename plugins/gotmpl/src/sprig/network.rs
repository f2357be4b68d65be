//! Sprig functions: network and URLs (`getHostByName urlParse urlJoin`). Registered by [`super::register`].
//!
//! * `getHostByName` always returns `""`. Sprig resolves the name with the system resolver, but Helm replaces the
//!   function with one returning `""` unless `--enable-dns` is given, and kiln's sandboxed plugins have no network
//!   access at all, so kiln never resolves names.
//! * `urlParse` and `urlJoin` follow Go's `net/url` (see [`url`]): `urlParse` returns a `map[string]interface{}`
//!   with the keys `scheme host hostname path query opaque fragment userinfo` (path and fragment decoded, query
//!   raw, userinfo re-encoded), and `urlJoin` assembles a URL from such a map with `URL.String`.

pub(crate) mod ip;
mod url;

use crate::funcs::{FuncError, Funcs, Param, Signature};
use crate::value::{Map, Value};

use url::{Url, text};

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    // func getHostByName(name string) string, as Helm registers it without --enable-dns.
    funcs.register("getHostByName", Signature::new(&[Param::String]), |_, _| Ok(Value::from("")));
    // func urlParse(v string) map[string]interface{}; a parse error panics with "unable to parse url: ERR".
    funcs.register("urlParse", Signature::new(&[Param::String]), |_, args| {
        let u = Url::parse(args.str(0)?).map_err(|e| FuncError::new(format!("unable to parse url: {e}")))?;
        let m = Map::new();
        m.insert("scheme", Value::from(u.scheme.as_str()));
        m.insert("host", Value::from(text(&u.host)));
        m.insert("hostname", Value::from(text(&u.hostname())));
        m.insert("path", Value::from(text(&u.path)));
        m.insert("query", Value::from(u.raw_query.as_str()));
        m.insert("opaque", Value::from(u.opaque.as_str()));
        m.insert("fragment", Value::from(text(&u.fragment)));
        m.insert("userinfo", Value::from(u.user.as_ref().map(|u| u.encoded()).unwrap_or_default()));
        Ok(Value::Map(m))
    });
    // func urlJoin(d map[string]interface{}) string
    funcs.register("urlJoin", Signature::new(&[Param::Map]), |_, args| {
        let d = args.map(0)?;
        let userinfo = dict_get_or_empty(&d, "userinfo")?;
        let user = if userinfo.is_empty() {
            None
        } else {
            url::parse_userinfo(&userinfo)
                .map_err(|e| FuncError::new(format!("unable to parse userinfo in dict: {e}")))?
        };
        let u = Url::from_parts(
            &dict_get_or_empty(&d, "scheme")?,
            &dict_get_or_empty(&d, "host")?,
            &dict_get_or_empty(&d, "path")?,
            &dict_get_or_empty(&d, "query")?,
            &dict_get_or_empty(&d, "opaque")?,
            &dict_get_or_empty(&d, "fragment")?,
            user,
        );
        Ok(Value::from(u.to_go_string()))
    });
}

/// Sprig's `dictGetOrEmpty`: the string at `key`, `""` when absent, and a panic for any other type.
fn dict_get_or_empty(d: &Map, key: &str) -> Result<String, FuncError> {
    match d.get(key) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        // reflect.TypeOf(nil).Kind() dereferences a nil Type.
        Some(Value::Nil) => Err(FuncError::new("runtime error: invalid memory address or nil pointer dereference")),
        Some(v) => Err(FuncError::new(format!(
            "unable to parse {key} key, must be of type string, but {} found",
            v.kind_name()
        ))),
    }
}
