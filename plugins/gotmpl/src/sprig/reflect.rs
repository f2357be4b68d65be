//! Sprig's reflection functions: `typeOf typeIs typeIsLike kindOf kindIs deepEqual`, answering with Go's type
//! names (`%T`: `float64`, `[]interface {}`, `map[string]interface {}`, `<nil>`) and `reflect.Kind` names
//! (`slice`, `map`, `invalid` for nil).

use crate::funcs::{Funcs, Param, Signature};
use crate::value::Value;

/// Register this module's functions.
pub fn register(funcs: &mut Funcs) {
    use Param::{Any, String as Str};
    funcs.register("typeOf", Signature::new(&[Any]), |_, a| Ok(Value::from(a.value(0)?.type_name().into_owned())));
    funcs.register("typeIs", Signature::new(&[Str, Any]), |_, a| Ok(Value::Bool(a.str(0)? == a.value(1)?.type_name())));
    funcs.register("typeIsLike", Signature::new(&[Str, Any]), |_, a| {
        let (target, t) = (a.str(0)?, a.value(1)?.type_name());
        Ok(Value::Bool(target == t || t.strip_prefix('*') == Some(target)))
    });
    funcs.register("kindOf", Signature::new(&[Any]), |_, a| Ok(Value::from(a.value(0)?.kind_name())));
    funcs.register("kindIs", Signature::new(&[Str, Any]), |_, a| Ok(Value::Bool(a.str(0)? == a.value(1)?.kind_name())));
    funcs.register("deepEqual", Signature::new(&[Any, Any]), |_, a| {
        Ok(Value::Bool(a.value(0)?.deep_equal(a.value(1)?)))
    });
}
