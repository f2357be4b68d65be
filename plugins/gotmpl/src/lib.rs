//! Go's `text/template` in pure Rust, with Go's exact semantics as Helm uses them.
//!
//! * [`TemplateSet`] parses templates (Go's grammar, trim markers, `define`/`block`/`template`, `break`/`continue`,
//!   `else if`/`else with`, range over integers) and executes them with Go's rules for fields, maps, truth,
//!   variables, typed function arguments and comparisons, producing Go's exact error texts.
//! * [`Value`] is the dynamic value model carrying Go's types (`int` vs `int64` vs `float64`, `[]string` vs
//!   `[]interface{}`, shared mutable maps, host objects).
//! * [`Funcs`] is the function table: Go's builtins plus whatever is registered (Sprig in [`sprig`], Helm's
//!   functions in the Helm renderer). See `API.md` for how to add functions.
//! * [`gofmt`] and [`strconv`] reproduce Go's `fmt` and `strconv` behaviour for printing values.
//!
//! ```
//! use gotmpl::{Funcs, MissingKey, Options, TemplateSet, Value};
//!
//! let mut set = TemplateSet::new("gotpl", Funcs::builtins())
//!     .with_options(Options { missing_key: MissingKey::Zero, ..Options::default() });
//! set.parse("t", "{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}").unwrap();
//! let data = Value::map([("b", Value::Float64(1e6)), ("a", Value::from("x"))]);
//! assert_eq!(set.execute("t", &data).unwrap(), "a=x;b=1e+06;");
//! ```

mod error;
mod exec;
pub mod funcs;
pub mod gofmt;
mod parse;
pub mod sprig;
mod stack;
pub mod strconv;
mod template;
mod unicode_tables;
pub mod value;

pub use error::{Error, ExecError, ParseError};
pub use funcs::{Args, CallContext, Func, FuncError, Funcs, NativeFn, Param, Signature};
pub use parse::Tree;
pub use template::{MissingKey, Options, TemplateSet};
pub use value::{ConvertError, ElemType, Entries, List, Map, NumberMode, Object, Value};
