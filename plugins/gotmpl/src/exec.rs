//! The executor: Go's `text/template` `exec.go` semantics over [`Value`]s.
//!
//! Values flowing through the executor remember whether they sit in an `interface{}` slot (a map value or a
//! `[]interface{}` element), because Go's error messages and nil handling depend on it: `.a.b` with `.a` missing is
//! `nil pointer evaluating interface {}.b`, while `(.a).b` (whose pipeline unwraps the interface) yields no value.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::error::{Error, ExecError};
use crate::funcs::builtins;
use crate::funcs::{Args, CallContext, Func, FuncError, Imp, Param, Signature};
use crate::gofmt;
use crate::parse::{Arg, BranchNode, CommandNode, ListNode, Node, NumberNode, PipeNode, Tree, VariableNode};
use crate::stack;
use crate::strconv;
use crate::template::{MissingKey, TemplateSet};
use crate::value::{ElemType, Object, Value};

/// An evaluated value: Go's `reflect.Value` as far as the executor cares.
#[derive(Clone, Debug)]
pub(crate) enum Val {
    /// The invalid (zero) `reflect.Value`: no value at all.
    Invalid,
    /// A value of its own dynamic type.
    Concrete(Value),
    /// A value held in an `interface{}` slot (possibly nil).
    Boxed(Value),
}

impl Val {
    fn from_data(v: &Value) -> Val {
        if v.is_nil() { Val::Invalid } else { Val::Concrete(v.clone()) }
    }

    /// The result of a function: only nil is still an interface value.
    fn from_result(v: Value) -> Val {
        if v.is_nil() { Val::Boxed(Value::Nil) } else { Val::Concrete(v) }
    }

    /// An element of a map or slice of element type `elem`.
    fn elem(elem: ElemType, v: Value) -> Val {
        if elem == ElemType::Any { Val::Boxed(v) } else { Val::Concrete(v) }
    }

    /// Go's `indirectInterface` at the end of each pipeline stage.
    fn unwrap_iface(self) -> Val {
        match self {
            Val::Boxed(Value::Nil) | Val::Concrete(Value::Nil) => Val::Invalid,
            Val::Boxed(v) => Val::Concrete(v),
            other => other,
        }
    }

    /// The value a function receives (`nil` for no value).
    fn value(&self) -> Value {
        match self {
            Val::Invalid => Value::Nil,
            Val::Concrete(v) | Val::Boxed(v) => v.clone(),
        }
    }

    fn inner(&self) -> Option<&Value> {
        match self {
            Val::Invalid => None,
            Val::Concrete(v) | Val::Boxed(v) => Some(v),
        }
    }

    /// The static type Go would name for this value.
    fn type_name(&self) -> String {
        match self {
            Val::Invalid => "<invalid reflect.Value>".to_owned(),
            Val::Boxed(_) => "interface {}".to_owned(),
            Val::Concrete(v) => v.type_name().into_owned(),
        }
    }

    fn truth(&self) -> bool {
        self.inner().is_some_and(Value::truthy)
    }

    /// `%v` of the value, as in `range can't iterate over %v`.
    fn fmt_v(&self) -> String {
        match self {
            Val::Invalid => "<invalid reflect.Value>".to_owned(),
            Val::Concrete(v) | Val::Boxed(v) => gofmt::format_v(v),
        }
    }
}

/// Templates added by `tpl` on top of the set (Go's `Clone` + `Parse`).
pub(crate) struct Overlay<'a> {
    templates: HashMap<Rc<str>, Rc<Tree>>,
    parent: Option<&'a Overlay<'a>>,
}

/// Nesting state shared by an execution and every execution nested in it (through `include` or `tpl`).
pub(crate) struct Guard {
    depth: Cell<usize>,
    base: usize,
}

impl Guard {
    /// A guard whose stack measurements start here.
    pub(crate) fn new() -> Self {
        Guard { depth: Cell::new(0), base: stack::position() }
    }
}

/// The execution environment shared by nested executions: the set, the `tpl` overlays and the nesting guard.
pub(crate) struct Env<'a> {
    set: &'a TemplateSet,
    overlay: Option<&'a Overlay<'a>>,
    guard: &'a Guard,
}

impl<'a> Env<'a> {
    pub(crate) fn new(set: &'a TemplateSet, overlay: Option<&'a Overlay<'a>>, guard: &'a Guard) -> Self {
        Env { set, overlay, guard }
    }

    pub(crate) fn set_name(&self) -> &str {
        self.set.name()
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<Rc<Tree>> {
        let mut o = self.overlay;
        while let Some(ov) = o {
            if let Some(t) = ov.templates.get(name) {
                return Some(t.clone());
            }
            o = ov.parent;
        }
        self.set.lookup_rc(name).cloned()
    }

    fn func(&self, name: &str) -> Option<&Func> {
        self.set.funcs().get(name)
    }

    /// Go's `ExecuteTemplate`.
    pub(crate) fn execute_named(&self, name: &str, data: &Value) -> Result<String, Error> {
        let Some(tree) = self.lookup(name) else {
            return Err(Error::NoTemplate { name: name.to_owned(), set: self.set.name().to_owned() });
        };
        self.execute_tree(&tree, data).map_err(Error::Exec)
    }

    /// Run a tree from the top with `data` as dot and `$`.
    fn execute_tree(&self, tree: &Tree, data: &Value) -> Result<String, ExecError> {
        let max = self.set.options().max_depth;
        let level = self.guard.depth.get();
        if level >= max {
            return Err(ExecError::new(
                tree.name(),
                format!("template: {}: exceeded maximum template depth ({max})", tree.name()),
                None,
            ));
        }
        let max_stack = self.set.options().max_stack;
        if stack::used_since(self.guard.base) > max_stack {
            return Err(ExecError::new(
                tree.name(),
                format!(
                    "template: {}: exceeded maximum template nesting: stack limit of {max_stack} bytes reached",
                    tree.name()
                ),
                None,
            ));
        }
        self.guard.depth.set(level + 1);
        let mut out = String::new();
        let dot = Val::from_data(data);
        let mut st = State { env: self, tree, node: None, vars: vec![("$", dot.clone())], out: &mut out };
        let r = st.walk_list(&dot, &tree.root);
        self.guard.depth.set(level);
        r.map(|_| out).map_err(|e| *e)
    }

    /// Helm's `tpl`: parse `text` into an overlay on the current scope and execute it.
    pub(crate) fn execute_text(&self, name: &str, text: &str, data: &Value) -> Result<String, Error> {
        let trees = self.set.parse_trees(name, Rc::from(text))?;
        let mut top = None;
        let mut templates: HashMap<Rc<str>, Rc<Tree>> = HashMap::new();
        for tree in trees {
            let tree = Rc::new(tree);
            if tree.name() == name {
                top = Some(tree.clone());
            }
            let keep_old = tree.is_empty() && self.lookup(tree.name()).is_some();
            if !keep_old {
                templates.insert(tree.name.clone(), tree);
            }
        }
        let Some(top) = top else {
            return Err(Error::NoTemplate { name: name.to_owned(), set: self.set.name().to_owned() });
        };
        let overlay = Overlay { templates, parent: self.overlay };
        let env = Env { set: self.set, overlay: Some(&overlay), guard: self.guard };
        env.execute_tree(&top, data).map_err(Error::Exec)
    }
}

/// The node execution is at, for error messages.
#[derive(Clone, Copy)]
enum At<'t> {
    Node(&'t Node),
    List(&'t ListNode),
    Pipe(&'t PipeNode),
    Cmd(&'t CommandNode),
    Arg(&'t Arg),
    Var(&'t VariableNode),
    Num(&'t NumberNode),
}

impl At<'_> {
    fn pos(&self) -> usize {
        match self {
            At::Node(n) => n.pos(),
            At::List(l) => l.pos,
            At::Pipe(p) => p.pos,
            At::Cmd(c) => c.pos,
            At::Arg(a) => a.pos(),
            At::Var(v) => v.pos,
            At::Num(n) => n.pos,
        }
    }

    fn context(&self) -> String {
        match self {
            At::Node(n) => n.to_string(),
            At::List(l) => l.to_string(),
            At::Pipe(p) => p.to_string(),
            At::Cmd(c) => c.to_string(),
            At::Arg(a) => a.to_string(),
            At::Var(v) => v.to_string(),
            At::Num(n) => n.text.to_string(),
        }
    }
}

/// How a walk ended.
enum Flow {
    Normal,
    Break,
    Continue,
}

/// What is being called.
enum Callee<'f> {
    Func(&'f Func),
    Method(Rc<dyn Object>, Signature),
}

type EResult<T> = Result<T, Box<ExecError>>;

struct State<'e, 't, 'o> {
    env: &'e Env<'e>,
    tree: &'t Tree,
    node: Option<At<'t>>,
    vars: Vec<(&'t str, Val)>,
    out: &'o mut String,
}

impl<'e, 't> State<'e, 't, '_> {
    fn at(&mut self, node: At<'t>) {
        self.node = Some(node);
    }

    #[cold]
    #[inline(never)]
    fn error(&self, msg: std::fmt::Arguments<'_>, source: Option<FuncError>) -> Box<ExecError> {
        let name = self.tree.name();
        let msg = msg.to_string();
        let full = match self.node {
            None => format!("template: {name}: {msg}"),
            Some(n) => format!(
                "template: {}: executing {} at <{}>: {msg}",
                self.tree.location(n.pos()),
                strconv::quote(name),
                n.context()
            ),
        };
        Box::new(ExecError::new(name, full, source))
    }

    #[cold]
    #[inline(never)]
    fn call_error(&self, name: &str, e: FuncError) -> Box<ExecError> {
        let msg = format!("error calling {name}: {e}");
        self.error(format_args!("{msg}"), Some(e))
    }

    #[cold]
    #[inline(never)]
    fn errorf(&self, msg: std::fmt::Arguments<'_>) -> Box<ExecError> {
        self.error(msg, None)
    }

    // ---- variables ----

    fn mark(&self) -> usize {
        self.vars.len()
    }

    fn pop(&mut self, mark: usize) {
        self.vars.truncate(mark);
    }

    fn set_var(&mut self, name: &str, value: Val) -> EResult<()> {
        for (n, v) in self.vars.iter_mut().rev() {
            if *n == name {
                *v = value;
                return Ok(());
            }
        }
        Err(self.errorf(format_args!("undefined variable: {name}")))
    }

    fn set_top_var(&mut self, n: usize, value: Val) {
        let len = self.vars.len();
        if let Some(slot) = len.checked_sub(n).and_then(|i| self.vars.get_mut(i)) {
            slot.1 = value;
        }
    }

    fn var_value(&self, name: &str) -> EResult<Val> {
        for (n, v) in self.vars.iter().rev() {
            if *n == name {
                return Ok(v.clone());
            }
        }
        Err(self.errorf(format_args!("undefined variable: {name}")))
    }

    // ---- walking ----

    /// Stop before the stack budget is exhausted.
    fn check_stack(&self) -> EResult<()> {
        let max = self.env.set.options().max_stack;
        if stack::used_since(self.env.guard.base) > max {
            return Err(
                self.errorf(format_args!("exceeded maximum template nesting: stack limit of {max} bytes reached"))
            );
        }
        Ok(())
    }

    fn walk_list(&mut self, dot: &Val, list: &'t ListNode) -> EResult<Flow> {
        self.at(At::List(list));
        self.check_stack()?;
        for node in &list.nodes {
            match self.walk(dot, node)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Val, node: &'t Node) -> EResult<Flow> {
        self.at(At::Node(node));
        match node {
            Node::Action { pipe, .. } => {
                let val = self.eval_pipeline(dot, Some(pipe))?;
                if pipe.decl.is_empty() {
                    self.print_value(node, &val);
                }
                Ok(Flow::Normal)
            }
            Node::Break { .. } => Ok(Flow::Break),
            Node::Continue { .. } => Ok(Flow::Continue),
            Node::Comment { .. } => Ok(Flow::Normal),
            Node::If(b) => self.walk_if_or_with(false, dot, b),
            Node::With(b) => self.walk_if_or_with(true, dot, b),
            Node::Range(b) => self.walk_range(dot, node, b),
            Node::Template { name, pipe, .. } => {
                self.walk_template(dot, node, name, pipe.as_deref()).map(|()| Flow::Normal)
            }
            Node::Text { text, .. } => {
                self.out.push_str(text);
                Ok(Flow::Normal)
            }
        }
    }

    fn walk_if_or_with(&mut self, is_with: bool, dot: &Val, b: &'t BranchNode) -> EResult<Flow> {
        let mark = self.mark();
        let r = (|| {
            let val = self.eval_pipeline(dot, Some(&b.pipe))?;
            if val.truth() {
                if is_with { self.walk_list(&val, &b.list) } else { self.walk_list(dot, &b.list) }
            } else if let Some(e) = &b.else_list {
                self.walk_list(dot, e)
            } else {
                Ok(Flow::Normal)
            }
        })();
        self.pop(mark);
        r
    }

    fn walk_range(&mut self, dot: &Val, node: &'t Node, r: &'t BranchNode) -> EResult<Flow> {
        self.at(At::Node(node));
        let mark0 = self.mark();
        let res = self.walk_range_inner(dot, r);
        self.pop(mark0);
        res.map(|_| Flow::Normal)
    }

    /// One iteration; returns false when the loop must stop (`{{break}}`).
    fn range_iteration(&mut self, r: &'t BranchNode, mark: usize, index: Val, elem: Val) -> EResult<bool> {
        let decl = &r.pipe.decl;
        if let Some(first) = decl.first() {
            if r.pipe.is_assign {
                let target = if decl.len() > 1 { index.clone() } else { elem.clone() };
                self.set_var(first.ident.first().map_or("", |s| s.as_ref()), target)?;
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if let Some(second) = decl.get(1) {
            if r.pipe.is_assign {
                self.set_var(second.ident.first().map_or("", |s| s.as_ref()), elem.clone())?;
            } else {
                self.set_top_var(2, index);
            }
        }
        let flow = self.walk_list(&elem, &r.list);
        self.pop(mark);
        Ok(!matches!(flow?, Flow::Break))
    }

    #[inline(never)]
    fn walk_range_inner(&mut self, dot: &Val, r: &'t BranchNode) -> EResult<()> {
        let val = self.eval_pipeline(dot, Some(&r.pipe))?;
        let mark = self.mark();
        let mut val_inner = val.inner().cloned();
        if let Some(Value::Object(o)) = &val_inner
            && let Some(u) = o.underlying()
        {
            val_inner = Some(u);
        }
        let ran = match val_inner {
            None => false,
            Some(v @ (Value::Int(_) | Value::Int64(_) | Value::Uint64(_) | Value::Uint8(_))) => {
                if r.pipe.decl.len() > 1 {
                    return Err(
                        self.errorf(format_args!("can't use {} to iterate over more than one variable", val.fmt_v()))
                    );
                }
                let n: u64 = match v {
                    Value::Int(i) | Value::Int64(i) => u64::try_from(i).unwrap_or(0),
                    Value::Uint64(u) => u,
                    Value::Uint8(u) => u64::from(u),
                    _ => 0,
                };
                for i in 0..n {
                    let e = match v {
                        Value::Int(_) => Value::Int(i as i64),
                        Value::Int64(_) => Value::Int64(i as i64),
                        Value::Uint8(_) => Value::Uint8(i as u8),
                        _ => Value::Uint64(i),
                    };
                    if !self.range_iteration(r, mark, Val::Invalid, Val::Concrete(e))? {
                        break;
                    }
                }
                n > 0
            }
            Some(Value::List(l)) => {
                let elem = l.elem_type();
                for (i, item) in l.items().iter().enumerate() {
                    let idx = Val::Concrete(Value::Int(i as i64));
                    if !self.range_iteration(r, mark, idx, Val::elem(elem, item.clone()))? {
                        break;
                    }
                }
                !l.is_empty()
            }
            Some(Value::Bytes(b)) => {
                for (i, byte) in b.iter().enumerate() {
                    let idx = Val::Concrete(Value::Int(i as i64));
                    if !self.range_iteration(r, mark, idx, Val::Concrete(Value::Uint8(*byte)))? {
                        break;
                    }
                }
                !b.is_empty()
            }
            Some(Value::Map(m)) => {
                let elem = m.elem_type();
                let entries = m.to_vec();
                for (k, v) in &entries {
                    let key = Val::Concrete(Value::String(k.clone()));
                    if !self.range_iteration(r, mark, key, Val::elem(elem, v.clone()))? {
                        break;
                    }
                }
                !entries.is_empty()
            }
            Some(_) => return Err(self.errorf(format_args!("range can't iterate over {}", val.fmt_v()))),
        };
        if !ran && let Some(e) = &r.else_list {
            self.walk_list(dot, e)?;
        }
        Ok(())
    }

    #[inline(never)]
    fn walk_template(&mut self, dot: &Val, node: &'t Node, name: &str, pipe: Option<&'t PipeNode>) -> EResult<()> {
        self.at(At::Node(node));
        let Some(tmpl) = self.env.lookup(name) else {
            return Err(self.errorf(format_args!("template {} not defined", strconv::quote(name))));
        };
        let max = self.env.set.options().max_depth;
        let level = self.env.guard.depth.get();
        if level >= max {
            return Err(self.errorf(format_args!("exceeded maximum template depth ({max})")));
        }
        let new_dot = self.eval_pipeline(dot, pipe)?;
        self.env.guard.depth.set(level + 1);
        let mut st =
            State { env: self.env, tree: &tmpl, node: None, vars: vec![("$", new_dot.clone())], out: &mut *self.out };
        let r = st.walk_list(&new_dot, &tmpl.root);
        self.env.guard.depth.set(level);
        r.map(|_| ())
    }

    // ---- evaluation ----

    #[inline(never)]
    fn eval_pipeline(&mut self, dot: &Val, pipe: Option<&'t PipeNode>) -> EResult<Val> {
        let Some(pipe) = pipe else {
            return Ok(Val::Invalid);
        };
        self.at(At::Pipe(pipe));
        self.check_stack()?;
        let mut value: Option<Val> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            value = Some(v.unwrap_iface());
        }
        let value = value.unwrap_or(Val::Invalid);
        for var in &pipe.decl {
            let name: &'t str = var.ident.first().map_or("$", |s| s.as_ref());
            if pipe.is_assign {
                self.set_var(name, value.clone())?;
            } else {
                self.vars.push((name, value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], final_: &Option<Val>) -> EResult<()> {
        if args.len() > 1 || final_.is_some() {
            let first = args.first().map(|a| a.to_string()).unwrap_or_default();
            return Err(self.errorf(format_args!("can't give argument to non-function {first}")));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Val, cmd: &'t CommandNode, final_: Option<Val>) -> EResult<Val> {
        let Some(first) = cmd.args.first() else {
            return Err(self.errorf(format_args!("empty command")));
        };
        match first {
            Arg::Field { ident, .. } => {
                return self.eval_field_node(dot, first, ident, Some(&cmd.args), final_);
            }
            Arg::Chain { node, fields, .. } => {
                return self.eval_chain_node(dot, first, node, fields, Some(&cmd.args), final_);
            }
            Arg::Identifier { .. } => {
                return self.eval_function(dot, first, At::Cmd(cmd), Some(&cmd.args), final_);
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &final_)?;
                return self.eval_pipeline(dot, Some(p));
            }
            Arg::Variable(v) => return self.eval_variable_node(dot, v, Some(&cmd.args), final_),
            _ => {}
        }
        self.at(At::Arg(first));
        self.not_a_function(&cmd.args, &final_)?;
        match first {
            Arg::Bool { val, .. } => Ok(Val::Concrete(Value::Bool(*val))),
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Err(self.errorf(format_args!("nil is not a command"))),
            Arg::Number(n) => self.ideal_constant(n),
            Arg::String { text, .. } => Ok(Val::Concrete(Value::String(text.clone()))),
            _ => Err(self.errorf(format_args!("can't evaluate command {}", strconv::quote(&first.to_string())))),
        }
    }

    /// A number in a context with no type: its syntax decides `int` or `float64`.
    #[inline(never)]
    fn ideal_constant(&mut self, n: &'t NumberNode) -> EResult<Val> {
        self.at(At::Num(n));
        let text: &str = &n.text;
        if n.is_complex {
            return Err(self.errorf(format_args!("complex constant {text} is not supported")));
        }
        let is_hex_int = text.len() > 2
            && text.starts_with('0')
            && matches!(text.as_bytes()[1], b'x' | b'X')
            && !text.contains(['p', 'P']);
        let is_rune = text.starts_with('\'');
        if n.is_float && !is_hex_int && !is_rune && text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Val::Concrete(Value::Float64(n.float64)));
        }
        if n.is_int {
            return Ok(Val::Concrete(Value::Int(n.int64)));
        }
        if n.is_uint {
            return Err(self.errorf(format_args!("{text} overflows int")));
        }
        Ok(Val::Invalid)
    }

    fn eval_field_node(
        &mut self,
        dot: &Val,
        node: &'t Arg,
        ident: &'t [Rc<str>],
        args: Option<&'t [Arg]>,
        final_: Option<Val>,
    ) -> EResult<Val> {
        self.at(At::Arg(node));
        self.eval_field_chain(dot, dot.clone(), At::Arg(node), ident, args, final_)
    }

    fn eval_chain_node(
        &mut self,
        dot: &Val,
        chain: &'t Arg,
        node: &'t Arg,
        fields: &'t [Rc<str>],
        args: Option<&'t [Arg]>,
        final_: Option<Val>,
    ) -> EResult<Val> {
        self.at(At::Arg(chain));
        if fields.is_empty() {
            return Err(self.errorf(format_args!("internal error: no fields in evalChainNode")));
        }
        if let Arg::Nil { .. } = node {
            return Err(self.errorf(format_args!("indirection through explicit nil in {chain}")));
        }
        let pipe = self.eval_arg_untyped(dot, node)?;
        self.eval_field_chain(dot, pipe, At::Arg(chain), fields, args, final_)
    }

    fn eval_variable_node(
        &mut self,
        dot: &Val,
        v: &'t VariableNode,
        args: Option<&'t [Arg]>,
        final_: Option<Val>,
    ) -> EResult<Val> {
        self.at(At::Var(v));
        let name = v.ident.first().map_or("$", |s| s.as_ref());
        let value = self.var_value(name)?;
        if v.ident.len() == 1 {
            self.not_a_function(args.unwrap_or(&[]), &final_)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, At::Var(v), &v.ident[1..], args, final_)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Val,
        mut receiver: Val,
        node: At<'t>,
        ident: &'t [Rc<str>],
        args: Option<&'t [Arg]>,
        final_: Option<Val>,
    ) -> EResult<Val> {
        let Some((last, init)) = ident.split_last() else {
            return Ok(receiver);
        };
        for name in init {
            receiver = self.eval_field(dot, name, node, None, None, receiver)?;
        }
        self.eval_field(dot, last, node, args, final_, receiver)
    }

    #[inline(never)]
    fn eval_field(
        &mut self,
        dot: &Val,
        name: &str,
        node: At<'t>,
        args: Option<&'t [Arg]>,
        final_: Option<Val>,
        receiver: Val,
    ) -> EResult<Val> {
        let value = match &receiver {
            Val::Invalid => {
                if self.env.set.options().missing_key == MissingKey::Error {
                    return Err(self.errorf(format_args!("nil data; no entry for key {}", strconv::quote(name))));
                }
                return Ok(Val::Invalid);
            }
            Val::Boxed(Value::Nil) => {
                return Err(self.errorf(format_args!("nil pointer evaluating {}.{name}", receiver.type_name())));
            }
            Val::Concrete(v) | Val::Boxed(v) => v.clone(),
        };
        if let Value::Object(o) = &value
            && let Some(sig) = o.method(name)
        {
            return self.eval_call(dot, Callee::Method(o.clone(), sig), node, name, args, final_);
        }
        let has_args = args.is_some_and(|a| a.len() > 1) || final_.is_some();
        let mut map_value = value;
        if let Value::Object(o) = &map_value {
            if let Some(v) = o.field(name) {
                if has_args {
                    return Err(self.errorf(format_args!("{name} has arguments but cannot be invoked as function")));
                }
                return Ok(Val::from_result(v));
            }
            match o.underlying() {
                Some(u @ Value::Map(_)) => map_value = u,
                _ => {
                    return Err(
                        self.errorf(format_args!("can't evaluate field {name} in type {}", receiver.type_name()))
                    );
                }
            }
        }
        if let Value::Map(m) = &map_value {
            if has_args {
                return Err(self.errorf(format_args!("{name} is not a method but has arguments")));
            }
            return match m.get(name) {
                Some(v) => Ok(Val::elem(m.elem_type(), v)),
                None => match self.env.set.options().missing_key {
                    MissingKey::Default => Ok(Val::Invalid),
                    MissingKey::Zero => Ok(Val::elem(m.elem_type(), m.elem_type().zero())),
                    MissingKey::Error => {
                        Err(self.errorf(format_args!("map has no entry for key {}", strconv::quote(name))))
                    }
                },
            };
        }
        Err(self.errorf(format_args!("can't evaluate field {name} in type {}", receiver.type_name())))
    }

    fn eval_function(
        &mut self,
        dot: &Val,
        ident: &'t Arg,
        cmd: At<'t>,
        args: Option<&'t [Arg]>,
        final_: Option<Val>,
    ) -> EResult<Val> {
        self.at(At::Arg(ident));
        let (name, resolved): (&str, Option<&'t Func>) = match ident {
            Arg::Identifier { name, func, .. } => (name, func.as_ref()),
            _ => ("", None),
        };
        let env = self.env;
        let Some(f) = resolved.or_else(|| env.func(name)) else {
            return Err(self.errorf(format_args!("{} is not a defined function", strconv::quote(name))));
        };
        self.eval_call(dot, Callee::Func(f), cmd, name, args, final_)
    }

    fn eval_call(
        &mut self,
        dot: &Val,
        callee: Callee<'_>,
        node: At<'t>,
        name: &str,
        args: Option<&'t [Arg]>,
        final_: Option<Val>,
    ) -> EResult<Val> {
        let args: &'t [Arg] = args.and_then(|a| a.get(1..)).unwrap_or(&[]);
        let sig = match &callee {
            Callee::Func(f) => f.sig,
            Callee::Method(_, s) => *s,
        };
        let num_in = args.len() + usize::from(final_.is_some());
        let num_fixed = if sig.variadic.is_some() { sig.params.len() } else { args.len() };
        if sig.variadic.is_some() {
            if num_in < num_fixed {
                return Err(self.errorf(format_args!(
                    "wrong number of args for {name}: want at least {} got {}",
                    sig.params.len(),
                    args.len()
                )));
            }
        } else if num_in != sig.params.len() {
            return Err(
                self.errorf(format_args!("wrong number of args for {name}: want {} got {num_in}", sig.params.len()))
            );
        }

        // and/or short-circuit and return an operand.
        if let Callee::Func(Func { imp: imp @ (Imp::And | Imp::Or), .. }) = &callee {
            let is_or = matches!(imp, Imp::Or);
            let mut v = Val::Invalid;
            for arg in args {
                v = self.eval_arg_val(dot, arg)?;
                if v.truth() == is_or {
                    return Ok(v);
                }
            }
            if let Some(f) = final_ {
                v = f;
            }
            return Ok(v);
        }

        if let Callee::Func(Func { imp: Imp::Len, .. }) = &callee {
            let v = match (args.first(), final_) {
                (Some(a), _) => self.eval_arg_val(dot, a)?,
                (None, Some(f)) => f,
                (None, None) => Val::Invalid,
            };
            let result = match v {
                Val::Invalid => Err(FuncError::new("reflect: call of reflect.Value.Type on zero Value")),
                other => builtins::length(&other.value()),
            };
            return match result {
                Ok(v) => Ok(Val::Concrete(v)),
                Err(e) => {
                    self.at(node);
                    Err(self.call_error(name, e))
                }
            };
        }

        let mut argv: Vec<Value> = Vec::with_capacity(num_in);
        let mut i = 0;
        while i < num_fixed && i < args.len() {
            let p = sig.params.get(i).copied().unwrap_or(Param::Any);
            argv.push(self.eval_arg(dot, p, &args[i])?);
            i += 1;
        }
        if let Some(rest) = sig.variadic {
            while i < args.len() {
                argv.push(self.eval_arg(dot, rest, &args[i])?);
                i += 1;
            }
        }
        if let Some(f) = final_ {
            let t = match sig.variadic {
                Some(rest) if num_in > num_fixed => rest,
                _ => sig.params.get(num_in - 1).copied().unwrap_or(Param::Any),
            };
            argv.push(self.validate_type(f, t)?);
        }

        self.invoke(callee, node, name, args, argv)
    }

    /// Run the function with its evaluated arguments (out of line, so that argument evaluation, which recurses,
    /// keeps a small frame).
    #[inline(never)]
    fn invoke(&mut self, callee: Callee<'_>, node: At<'t>, name: &str, args: &[Arg], argv: Vec<Value>) -> EResult<Val> {
        let env = self.env;
        let mut cx = CallContext { env, name };
        let result = match callee {
            Callee::Func(f) => match &f.imp {
                Imp::Native(native) => native(&mut cx, &Args::new(&argv)),
                Imp::Call => Err(self.call_builtin(args, &argv)),
                Imp::And | Imp::Or | Imp::Len => Ok(Value::Nil),
            },
            Callee::Method(o, _) => o.call_method(name, &mut cx, &Args::new(&argv)),
        };
        match result {
            Ok(v) => Ok(Val::from_result(v)),
            Err(e) => {
                self.at(node);
                Err(self.call_error(name, e))
            }
        }
    }

    /// Go's builtin `call`: this model has no function values, so the callee is never callable.
    #[inline(never)]
    fn call_builtin(&self, args: &[Arg], argv: &[Value]) -> FuncError {
        let callee_name = match args.first() {
            Some(a) => a.to_string(),
            None => argv.first().map(gofmt::format_v).unwrap_or_default(),
        };
        match argv.first() {
            None | Some(Value::Nil) => FuncError::new("call of nil"),
            Some(v) => FuncError::new(format!("non-function {callee_name} of type {}", v.type_name())),
        }
    }

    /// Go's `validateType`: check that `value` is assignable to `typ`.
    #[inline(never)]
    fn validate_type(&self, value: Val, typ: Param) -> EResult<Value> {
        let v = match value {
            Val::Invalid => {
                if typ.can_be_nil() {
                    return Ok(Value::Nil);
                }
                return Err(self.errorf(format_args!("invalid value; expected {typ}")));
            }
            Val::Boxed(Value::Nil) if typ != Param::Any => {
                return Err(self.errorf(format_args!("wrong type for value; expected {typ}; got interface {{}}")));
            }
            Val::Concrete(v) | Val::Boxed(v) => v,
        };
        if typ.admits(&v) {
            return Ok(v);
        }
        if let Value::Object(o) = &v
            && let Some(u) = o.underlying()
            && typ.admits(&u)
        {
            return Ok(u);
        }
        Err(self.errorf(format_args!("wrong type for value; expected {typ}; got {}", v.type_name())))
    }

    /// `evalArg` for a parameter of type `typ`.
    fn eval_arg(&mut self, dot: &Val, typ: Param, n: &'t Arg) -> EResult<Value> {
        self.at(At::Arg(n));
        match n {
            Arg::Dot { .. } => return self.validate_type(dot.clone(), typ),
            Arg::Nil { .. } => {
                if typ.can_be_nil() {
                    return Ok(Value::Nil);
                }
                return Err(self.errorf(format_args!("cannot assign nil to {typ}")));
            }
            Arg::Field { ident, .. } => {
                let v = self.eval_field_node(dot, n, ident, None, None)?;
                return self.validate_type(v, typ);
            }
            Arg::Variable(var) => {
                let v = self.eval_variable_node(dot, var, None, None)?;
                return self.validate_type(v, typ);
            }
            Arg::Pipe(p) => {
                let v = self.eval_pipeline(dot, Some(p))?;
                return self.validate_type(v, typ);
            }
            Arg::Identifier { .. } => {
                let v = self.eval_function(dot, n, At::Arg(n), None, None)?;
                return self.validate_type(v, typ);
            }
            Arg::Chain { node, fields, .. } => {
                let v = self.eval_chain_node(dot, n, node, fields, None, None)?;
                return self.validate_type(v, typ);
            }
            _ => {}
        }
        self.eval_arg_literal(dot, typ, n)
    }

    /// `evalArg` for a constant operand: converted by parameter type.
    #[inline(never)]
    fn eval_arg_literal(&mut self, dot: &Val, typ: Param, n: &'t Arg) -> EResult<Value> {
        match typ {
            Param::Bool => match n {
                Arg::Bool { val, .. } => Ok(Value::Bool(*val)),
                _ => Err(self.errorf(format_args!("expected bool; found {n}"))),
            },
            Param::Float64 => match n {
                Arg::Number(num) if num.is_float => Ok(Value::Float64(num.float64)),
                _ => Err(self.errorf(format_args!("expected float; found {n}"))),
            },
            Param::Int | Param::Int64 => match n {
                Arg::Number(num) if num.is_int => {
                    Ok(if typ == Param::Int { Value::Int(num.int64) } else { Value::Int64(num.int64) })
                }
                _ => Err(self.errorf(format_args!("expected integer; found {n}"))),
            },
            Param::String => match n {
                Arg::String { text, .. } => Ok(Value::String(text.clone())),
                _ => Err(self.errorf(format_args!("expected string; found {n}"))),
            },
            Param::Any => Ok(self.eval_empty_interface(dot, n)?.value()),
            Param::List | Param::Strings | Param::Map | Param::Bytes | Param::Time => {
                Err(self.errorf(format_args!("can't handle {n} for arg of type {typ}")))
            }
        }
    }

    /// `evalArg` with a `reflect.Value` parameter (for `and`/`or`): keeps the evaluated value as is.
    fn eval_arg_val(&mut self, dot: &Val, n: &'t Arg) -> EResult<Val> {
        self.at(At::Arg(n));
        match n {
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Ok(Val::Invalid),
            Arg::Field { ident, .. } => self.eval_field_node(dot, n, ident, None, None),
            Arg::Variable(var) => self.eval_variable_node(dot, var, None, None),
            Arg::Pipe(p) => self.eval_pipeline(dot, Some(p)),
            Arg::Identifier { .. } => self.eval_function(dot, n, At::Arg(n), None, None),
            Arg::Chain { node, fields, .. } => self.eval_chain_node(dot, n, node, fields, None, None),
            _ => self.eval_empty_interface(dot, n),
        }
    }

    /// `evalArg` with no type (the head of a chain node).
    fn eval_arg_untyped(&mut self, dot: &Val, n: &'t Arg) -> EResult<Val> {
        self.eval_arg_val(dot, n)
    }

    fn eval_empty_interface(&mut self, dot: &Val, n: &'t Arg) -> EResult<Val> {
        self.at(At::Arg(n));
        match n {
            Arg::Bool { val, .. } => Ok(Val::Concrete(Value::Bool(*val))),
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Field { ident, .. } => self.eval_field_node(dot, n, ident, None, None),
            Arg::Identifier { .. } => self.eval_function(dot, n, At::Arg(n), None, None),
            Arg::Nil { .. } => Err(self.errorf(format_args!("evalEmptyInterface: nil (can't happen)"))),
            Arg::Number(num) => self.ideal_constant(num),
            Arg::String { text, .. } => Ok(Val::Concrete(Value::String(text.clone()))),
            Arg::Variable(var) => self.eval_variable_node(dot, var, None, None),
            Arg::Pipe(p) => self.eval_pipeline(dot, Some(p)),
            Arg::Chain { .. } => {
                Err(self.errorf(format_args!("can't handle assignment of {n} to empty interface argument")))
            }
        }
    }

    #[inline(never)]
    fn print_value(&mut self, node: &'t Node, v: &Val) {
        self.at(At::Node(node));
        match v.inner() {
            None => self.out.push_str("<no value>"),
            Some(Value::Object(o)) => {
                let s = o.fmt_action();
                self.out.push_str(&s);
            }
            Some(Value::String(s)) => self.out.push_str(s),
            Some(v) => {
                let s = gofmt::format_v(v);
                self.out.push_str(&s);
            }
        }
    }
}
