//! The template parser: Go's `text/template/parse` grammar and error messages.
//!
//! Parsing one text yields the top-level tree plus one tree per `{{define}}`/`{{block}}`, like Go's
//! `parse.Parse`. Function names are checked at parse time (`function "foo" not defined`).

mod lex;
pub(crate) mod node;

use std::rc::Rc;

use lex::{Item, ItemType, LexOptions};
pub(crate) use node::*;

use crate::error::ParseError;
use crate::funcs::Func;
use crate::stack;
use crate::strconv;

/// Maximum nesting of parenthesised pipelines and control structures (Go's `maxStackDepth` for parentheses).
/// Parsing also stops, with the same error, when it has used `max_stack` bytes of stack (see [`crate::stack`]).
pub(crate) const MAX_NESTING: usize = 10_000;

/// One parsed template: a named tree. Trees from one text share that text (for error positions).
#[derive(Debug, Clone)]
pub struct Tree {
    pub(crate) name: Rc<str>,
    pub(crate) parse_name: Rc<str>,
    pub(crate) text: Rc<str>,
    pub(crate) root: ListNode,
}

impl Tree {
    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name of the top-level template whose text defined this one (used in error locations).
    pub fn parse_name(&self) -> &str {
        &self.parse_name
    }

    /// Whether the tree holds nothing but whitespace and comments (Go's `parse.IsEmptyTree`).
    pub fn is_empty(&self) -> bool {
        is_empty_list(&self.root)
    }

    /// `location, context` of a node position, as Go's `Tree.ErrorContext`: `NAME:LINE:COL` with a 0-based
    /// byte column.
    pub(crate) fn location(&self, pos: usize) -> String {
        let before = self.text.get(..pos).unwrap_or(&self.text);
        let col = match before.rfind('\n') {
            None => pos,
            Some(nl) => pos - (nl + 1),
        };
        let line = 1 + before.bytes().filter(|&b| b == b'\n').count();
        format!("{}:{}:{}", self.parse_name, line, col)
    }
}

/// Per-tree parser state (Go keeps it in each `parse.Tree`).
struct TreeState {
    name: Rc<str>,
    vars: Vec<Rc<str>>,
    action_line: usize,
    range_depth: usize,
    hi: Option<usize>,
}

impl TreeState {
    fn new(name: Rc<str>) -> Self {
        TreeState { name, vars: vec![Rc::from("$")], action_line: 0, range_depth: 0, hi: None }
    }
}

struct Parser<'a, 'f> {
    items: Vec<Item<'a>>,
    lex_error: String,
    stack_base: usize,
    max_stack: usize,
    cursor: usize,
    parse_name: Rc<str>,
    text: Rc<str>,
    lookup: &'f dyn Fn(&str) -> Option<Func>,
    tree: TreeState,
    depth: usize,
    trees: Vec<Tree>,
}

type PResult<T> = Result<T, Box<ParseError>>;

/// Parse `text` as the template `name`, returning all trees it defines (the top-level tree included).
pub(crate) fn parse(
    name: &str,
    text: Rc<str>,
    left_delim: &str,
    right_delim: &str,
    lookup: &dyn Fn(&str) -> Option<Func>,
    max_stack: usize,
) -> Result<Vec<Tree>, ParseError> {
    let options = LexOptions {
        emit_comment: false,
        break_ok: lookup("break").is_none(),
        continue_ok: lookup("continue").is_none(),
    };
    let (items, lex_error) = lex::lex(&text, left_delim, right_delim, options);
    let name: Rc<str> = Rc::from(name);
    let mut p = Parser {
        items,
        lex_error: lex_error.unwrap_or_default(),
        stack_base: stack::position(),
        max_stack,
        cursor: 0,
        parse_name: name.clone(),
        text: text.clone(),
        lookup,
        tree: TreeState::new(name),
        depth: 0,
        trees: Vec::new(),
    };
    let root = p.parse_top().map_err(|e| *e)?;
    p.add_tree(root).map_err(|e| *e)?;
    Ok(p.trees)
}

impl<'a> Parser<'a, '_> {
    // ---- token stream ----

    fn fetch(&mut self, i: usize) -> Item<'a> {
        let idx = i.min(self.items.len().saturating_sub(1));
        self.tree.hi = Some(self.tree.hi.map_or(idx, |h| h.max(idx)));
        self.items.get(idx).copied().unwrap_or(Item { typ: ItemType::Eof, pos: self.text.len(), val: "", line: 0 })
    }

    fn next(&mut self) -> Item<'a> {
        let it = self.fetch(self.cursor);
        if self.cursor < self.items.len() {
            self.cursor += 1;
        }
        it
    }

    fn backup(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    fn peek(&mut self) -> Item<'a> {
        self.fetch(self.cursor)
    }

    fn next_non_space(&mut self) -> Item<'a> {
        loop {
            let t = self.next();
            if t.typ != ItemType::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item<'a> {
        let t = self.next_non_space();
        self.backup();
        t
    }

    // ---- errors ----

    #[cold]
    #[inline(never)]
    fn errorf(&self, msg: impl Into<String>) -> Box<ParseError> {
        let line = self.tree.hi.and_then(|h| self.items.get(h)).map_or(0, |t| t.line);
        Box::new(ParseError::new(&self.parse_name, line, msg.into()))
    }

    #[cold]
    #[inline(never)]
    fn unexpected(&self, token: &Item<'_>, context: &str) -> Box<ParseError> {
        if token.typ == ItemType::Error {
            let mut extra = String::new();
            if self.tree.action_line != 0 && self.tree.action_line != token.line {
                extra = format!(" in action started at {}:{}", self.parse_name, self.tree.action_line);
                if self.lex_error.ends_with(" action") {
                    extra = extra[" in action".len()..].to_owned();
                }
            }
            return self.errorf(format!("{}{extra}", self.lex_error));
        }
        self.errorf(format!("unexpected {token} in {context}"))
    }

    fn expect(&mut self, expected: ItemType, context: &str) -> PResult<Item<'a>> {
        let token = self.next_non_space();
        if token.typ != expected {
            return Err(self.unexpected(&token, context));
        }
        Ok(token)
    }

    fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_NESTING || stack::used_since(self.stack_base) > self.max_stack {
            return Err(self.errorf("max expression depth exceeded"));
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ---- trees ----

    /// Go's `Tree.add`: install a finished tree unless it would redefine a non-empty one from this text.
    #[inline(never)]
    fn add_tree(&mut self, root: ListNode) -> PResult<()> {
        let name = self.tree.name.clone();
        let tree = Tree { name: name.clone(), parse_name: self.parse_name.clone(), text: self.text.clone(), root };
        if let Some(existing) = self.trees.iter_mut().find(|t| t.name == name) {
            if is_empty_list(&existing.root) {
                *existing = tree;
                return Ok(());
            }
            if !is_empty_list(&tree.root) {
                return Err(self.errorf(format!("template: multiple definition of template {}", strconv::quote(&name))));
            }
            return Ok(());
        }
        self.trees.push(tree);
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<ListNode> {
        let pos = self.peek().pos;
        let mut root = ListNode { pos, nodes: Vec::new() };
        while self.peek().typ != ItemType::Eof {
            if self.peek().typ == ItemType::LeftDelim {
                let delim_at = self.cursor;
                self.next();
                if self.next_non_space().typ == ItemType::Define {
                    let saved = std::mem::replace(&mut self.tree, TreeState::new(Rc::from("definition")));
                    let r = self.parse_definition();
                    self.tree = saved;
                    r?;
                    continue;
                }
                self.cursor = delim_at;
            }
            let n = self.text_or_action()?;
            match n {
                Flow::End => return Err(self.errorf("unexpected {{end}}")),
                Flow::Else => return Err(self.errorf("unexpected {{else}}")),
                Flow::Node(n) => root.nodes.push(n),
            }
        }
        Ok(root)
    }

    #[inline(never)]
    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let name = self.next_non_space();
        if name.typ != ItemType::String && name.typ != ItemType::RawString {
            return Err(self.unexpected(&name, CONTEXT));
        }
        let unquoted = strconv::unquote(name.val).map_err(|e| self.errorf(e.to_string()))?;
        self.tree.name = Rc::from(unquoted);
        self.expect(ItemType::RightDelim, CONTEXT)?;
        let (list, end) = self.item_list()?;
        if let ListEnd::Else = end {
            return Err(self.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add_tree(list)
    }

    /// `itemList`: nodes up to `{{end}}` or `{{else}}`.
    fn item_list(&mut self) -> PResult<(ListNode, ListEnd)> {
        let pos = self.peek_non_space().pos;
        let mut list = ListNode { pos, nodes: Vec::new() };
        while self.peek_non_space().typ != ItemType::Eof {
            match self.text_or_action()? {
                Flow::End => return Ok((list, ListEnd::End)),
                Flow::Else => return Ok((list, ListEnd::Else)),
                Flow::Node(n) => list.nodes.push(n),
            }
        }
        Err(self.errorf("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Flow> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Text => Ok(Flow::Node(Node::Text { pos: token.pos, text: Rc::from(token.val) })),
            ItemType::LeftDelim => {
                self.tree.action_line = token.line;
                let r = self.action();
                self.tree.action_line = 0;
                r
            }
            ItemType::Comment => Ok(Flow::Node(Node::Comment { pos: token.pos, text: Rc::from(token.val) })),
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    /// An action after `{{`. Only `if`/`range`/`with`/`block` recurse; everything else is parsed out of line so
    /// that the recursive path keeps small stack frames.
    fn action(&mut self) -> PResult<Flow> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Block => self.block_control().map(Flow::Node),
            ItemType::If => self.branch_control("if").map(|b| Flow::Node(Node::If(b))),
            ItemType::Range => self.branch_control("range").map(|b| Flow::Node(Node::Range(b))),
            ItemType::With => self.branch_control("with").map(|b| Flow::Node(Node::With(b))),
            _ => self.simple_action(token),
        }
    }

    #[inline(never)]
    fn simple_action(&mut self, token: Item<'a>) -> PResult<Flow> {
        match token.typ {
            ItemType::Break | ItemType::Continue => {
                let is_break = token.typ == ItemType::Break;
                let ctx = if is_break { "{{break}}" } else { "{{continue}}" };
                let t = self.next_non_space();
                if t.typ != ItemType::RightDelim {
                    return Err(self.unexpected(&t, ctx));
                }
                if self.tree.range_depth == 0 {
                    return Err(self.errorf(format!("{ctx} outside {{{{range}}}}")));
                }
                Ok(Flow::Node(if is_break {
                    Node::Break { pos: token.pos }
                } else {
                    Node::Continue { pos: token.pos }
                }))
            }
            ItemType::Else => {
                let peek = self.peek_non_space();
                if peek.typ == ItemType::If || peek.typ == ItemType::With {
                    return Ok(Flow::Else);
                }
                self.expect(ItemType::RightDelim, "else")?;
                Ok(Flow::Else)
            }
            ItemType::End => {
                self.expect(ItemType::RightDelim, "end")?;
                Ok(Flow::End)
            }
            ItemType::Template => self.template_control().map(Flow::Node),
            _ => {
                self.backup();
                let pos = self.peek().pos;
                let pipe = self.pipeline("command", ItemType::RightDelim)?;
                Ok(Flow::Node(Node::Action { pos, pipe: Box::new(pipe) }))
            }
        }
    }

    fn branch_control(&mut self, context: &str) -> PResult<Box<BranchNode>> {
        self.enter()?;
        let mark = self.tree.vars.len();
        let r = self.parse_control(context);
        self.tree.vars.truncate(mark);
        self.leave();
        r
    }

    fn parse_control(&mut self, context: &str) -> PResult<Box<BranchNode>> {
        let pipe = Box::new(self.pipeline(context, ItemType::RightDelim)?);
        if context == "range" {
            self.tree.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.tree.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        if let ListEnd::Else = next {
            let peek = self.peek();
            if context == "if" && peek.typ == ItemType::If {
                self.next();
                let inner = self.branch_control("if")?;
                else_list = Some(ListNode { pos: peek.pos, nodes: vec![Node::If(inner)] });
            } else if context == "with" && peek.typ == ItemType::With {
                self.next();
                let inner = self.branch_control("with")?;
                else_list = Some(ListNode { pos: peek.pos, nodes: vec![Node::With(inner)] });
            } else {
                let (l, n) = self.item_list()?;
                if let ListEnd::Else = n {
                    return Err(self.errorf("expected end; found {{else}}"));
                }
                else_list = Some(l);
            }
        }
        Ok(Box::new(BranchNode { pos: pipe.pos, pipe, list, else_list }))
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let token = self.next_non_space();
        let name = self.parse_template_name(&token, CONTEXT)?;
        let pipe = Box::new(self.pipeline(CONTEXT, ItemType::RightDelim)?);
        self.enter()?;
        let saved = std::mem::replace(&mut self.tree, TreeState::new(Rc::from(name.as_str())));
        let r = match self.item_list() {
            Ok((list, ListEnd::End)) => self.add_tree(list).map(|()| true),
            Ok((_, ListEnd::Else)) => Ok(false),
            Err(e) => Err(e),
        };
        self.tree = saved;
        self.leave();
        if !r? {
            // Go reports a stray {{else}} through the enclosing tree.
            return Err(self.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        Ok(Node::Template { pos: token.pos, name: Rc::from(name), pipe: Some(pipe) })
    }

    #[inline(never)]
    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let token = self.next_non_space();
        let name = self.parse_template_name(&token, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup();
            pipe = Some(Box::new(self.pipeline(CONTEXT, ItemType::RightDelim)?));
        }
        Ok(Node::Template { pos: token.pos, name: Rc::from(name), pipe })
    }

    #[inline(never)]
    fn parse_template_name(&self, token: &Item<'_>, context: &str) -> PResult<String> {
        match token.typ {
            ItemType::String | ItemType::RawString => {
                strconv::unquote(token.val).map_err(|e| self.errorf(e.to_string()))
            }
            _ => Err(self.unexpected(token, context)),
        }
    }

    /// `pipeline`: declarations? command ('|' command)*
    #[inline(never)]
    fn pipeline(&mut self, context: &str, end: ItemType) -> PResult<PipeNode> {
        let token = self.peek_non_space();
        let mut pipe = PipeNode { pos: token.pos, is_assign: false, decl: Vec::new(), cmds: Vec::new() };
        self.pipeline_decls(&mut pipe, context)?;
        loop {
            let token = self.next_non_space();
            if token.typ == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match token.typ {
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    /// The optional `$x :=` / `$x =` / `$k, $v :=` prefix of a pipeline.
    #[inline(never)]
    fn pipeline_decls(&mut self, pipe: &mut PipeNode, context: &str) -> PResult<()> {
        'decls: loop {
            let v = self.peek_non_space();
            if v.typ != ItemType::Variable {
                break;
            }
            let v_at = self.cursor;
            self.next();
            let token_after_variable = self.peek();
            let next = self.peek_non_space();
            if next.typ == ItemType::Assign || next.typ == ItemType::Declare {
                pipe.is_assign = next.typ == ItemType::Assign;
                self.next_non_space();
                pipe.decl.push(new_variable(v.pos, v.val));
                self.tree.vars.push(Rc::from(v.val));
                break;
            }
            if next.typ == ItemType::Char && next.val == "," {
                self.next_non_space();
                pipe.decl.push(new_variable(v.pos, v.val));
                self.tree.vars.push(Rc::from(v.val));
                if context == "range" && pipe.decl.len() < 2 {
                    match self.peek_non_space().typ {
                        ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                            continue 'decls;
                        }
                        _ => return Err(self.errorf("range can only initialize variables")),
                    }
                }
                return Err(self.errorf(format!("too many declarations in {context}")));
            }
            // Not a declaration: push back the variable (and the space after it).
            let _ = token_after_variable;
            self.cursor = v_at;
            break;
        }
        Ok(())
    }

    #[inline(never)]
    fn check_pipeline(&self, pipe: &PipeNode, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if c.args.first().is_some_and(Arg::is_non_executable) {
                return Err(self.errorf(format!("non executable command in pipeline stage {}", i + 1)));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<CommandNode> {
        let pos = self.peek_non_space().pos;
        let mut cmd = CommandNode { pos, args: Vec::new() };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let token = self.next();
            match token.typ {
                ItemType::Space => continue,
                ItemType::RightDelim | ItemType::RightParen => self.backup(),
                ItemType::Pipe => {}
                _ => return Err(self.unexpected(&token, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.errorf("empty command"));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ != ItemType::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let mut fields: Vec<Rc<str>> = Vec::new();
        while self.peek().typ == ItemType::Field {
            let f = self.next();
            fields.push(Rc::from(f.val.get(1..).unwrap_or("")));
        }
        Ok(Some(match node {
            Arg::Field { ident, .. } => {
                let mut ident = ident;
                ident.extend(fields);
                Arg::Field { pos: chain_pos, ident }
            }
            Arg::Variable(v) => {
                let mut ident = v.ident;
                ident.extend(fields);
                Arg::Variable(VariableNode { pos: chain_pos, ident })
            }
            Arg::Bool { .. } | Arg::String { .. } | Arg::Number(_) | Arg::Nil { .. } | Arg::Dot { .. } => {
                return Err(self.errorf(format!("unexpected . after term {}", strconv::quote(&node.to_string()))));
            }
            other => Arg::Chain { pos: chain_pos, node: Box::new(other), fields },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        if token.typ != ItemType::LeftParen {
            return self.simple_term(token);
        }
        self.enter()?;
        let r = self.pipeline("parenthesized pipeline", ItemType::RightParen);
        self.leave();
        Ok(Some(Arg::Pipe(Box::new(r?))))
    }

    /// Every term but a parenthesized pipeline (kept out of line: see [`Parser::action`]).
    #[inline(never)]
    fn simple_term(&mut self, token: Item<'a>) -> PResult<Option<Arg>> {
        Ok(Some(match token.typ {
            ItemType::Identifier => {
                let func = (self.lookup)(token.val);
                if func.is_none() {
                    return Err(self.errorf(format!("function {} not defined", strconv::quote(token.val))));
                }
                Arg::Identifier { pos: token.pos, name: Rc::from(token.val), func }
            }
            ItemType::Dot => Arg::Dot { pos: token.pos },
            ItemType::Nil => Arg::Nil { pos: token.pos },
            ItemType::Variable => {
                let v = new_variable(token.pos, token.val);
                if !self.tree.vars.iter().any(|n| v.ident.first().is_some_and(|f| f == n)) {
                    let first = v.ident.first().map(|s| s.to_string()).unwrap_or_default();
                    return Err(self.errorf(format!("undefined variable {}", strconv::quote(&first))));
                }
                Arg::Variable(v)
            }
            ItemType::Field => Arg::Field { pos: token.pos, ident: split_field(token.val) },
            ItemType::Bool => Arg::Bool { pos: token.pos, val: token.val == "true" },
            ItemType::CharConstant | ItemType::Complex | ItemType::Number => {
                Arg::Number(Box::new(new_number(token.pos, token.val, token.typ).map_err(|m| self.errorf(m))?))
            }
            ItemType::String | ItemType::RawString => {
                let s = strconv::unquote(token.val).map_err(|e| self.errorf(e.to_string()))?;
                Arg::String { pos: token.pos, quoted: Rc::from(token.val), text: Rc::from(s) }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

/// How a list ended.
enum ListEnd {
    End,
    Else,
}

/// The result of `textOrAction`: a node, or an `{{end}}`/`{{else}}` marker.
enum Flow {
    Node(Node),
    End,
    Else,
}

fn new_variable(pos: usize, ident: &str) -> VariableNode {
    VariableNode { pos, ident: ident.split('.').map(Rc::from).collect() }
}

fn split_field(ident: &str) -> Vec<Rc<str>> {
    ident.get(1..).unwrap_or("").split('.').map(Rc::from).collect()
}

/// Go's `newNumber`: parse a numeric literal under every type that can hold it.
#[inline(never)]
fn new_number(pos: usize, text: &str, typ: ItemType) -> Result<NumberNode, String> {
    let mut n = NumberNode {
        pos,
        is_int: false,
        is_uint: false,
        is_float: false,
        is_complex: false,
        int64: 0,
        uint64: 0,
        float64: 0.0,
        text: Rc::from(text),
    };
    match typ {
        ItemType::CharConstant => {
            let body = text.get(1..).unwrap_or("");
            let quote = text.as_bytes().first().copied().unwrap_or(b'\'');
            let (r, _, tail) = strconv::unquote_char(body, quote).map_err(|e| e.to_string())?;
            if tail != "'" {
                return Err(format!("malformed character constant: {text}"));
            }
            n.int64 = i64::from(r);
            n.is_int = true;
            n.uint64 = u64::from(r);
            n.is_uint = true;
            n.float64 = f64::from(r);
            n.is_float = true;
            return Ok(n);
        }
        ItemType::Complex => {
            // Complex constants are accepted by the grammar; their value is only needed if executed.
            n.is_complex = true;
            return Ok(n);
        }
        _ => {}
    }
    if let Some(body) = text.strip_suffix('i')
        && strconv::parse_float(body).is_ok()
    {
        n.is_complex = true;
        return Ok(n);
    }
    let u = strconv::parse_uint(text, 0);
    if let Ok(u) = u {
        n.is_uint = true;
        n.uint64 = u;
    }
    if let Ok(i) = strconv::parse_int(text, 0) {
        n.is_int = true;
        n.int64 = i;
        if i == 0 {
            n.is_uint = true;
            n.uint64 = u.unwrap_or(0);
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float64 = n.int64 as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float64 = n.uint64 as f64;
    } else if let Ok(f) = strconv::parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", strconv::quote(text)));
        }
        n.is_float = true;
        n.float64 = f;
        if !n.is_int && f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
            n.is_int = true;
            n.int64 = f as i64;
        }
        if !n.is_uint && f.fract() == 0.0 && (0.0..1.844_674_407_370_955_2e19).contains(&f) {
            n.is_uint = true;
            n.uint64 = f as u64;
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!("illegal number syntax: {}", strconv::quote(text)));
    }
    Ok(n)
}
