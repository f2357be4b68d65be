//! Template sets: Go's `*template.Template` with its associated templates, functions and options.

use std::collections::HashMap;
use std::rc::Rc;

use crate::error::{Error, ParseError};
use crate::exec::{Env, Guard};
use crate::funcs::Funcs;
use crate::parse::{self, Tree};
use crate::value::Value;

/// What a map index with a missing key yields (Go's `missingkey=` option).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default` / `invalid`: no value (prints `<no value>`).
    #[default]
    Default,
    /// `missingkey=zero`: the zero value of the map's element type (`<no value>` again for
    /// `map[string]interface{}`, `""` for `map[string]string`). Helm uses this.
    Zero,
    /// `missingkey=error`: execution stops with `map has no entry for key "x"`.
    Error,
}

/// Execution options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The `missingkey` option.
    pub missing_key: MissingKey,
    /// How deeply template executions may nest (`{{template}}`, `{{block}}`, and re-entries through
    /// [`CallContext::execute_template`](crate::CallContext::execute_template) /
    /// [`execute_text`](crate::CallContext::execute_text)) before execution stops with
    /// `exceeded maximum template depth (N)`. Go allows 100000 natively and 1000 on wasm; this port recurses on the
    /// Rust stack, so the default is Go's wasm value, 1000. Raise it only with a stack to match.
    pub max_depth: usize,
    /// How many bytes of stack parsing and execution may use before they stop with an error (`max expression
    /// depth exceeded` when parsing, `exceeded maximum template nesting` when executing). Go grows its stacks;
    /// this port checks its usage instead, so that no template can overflow the stack. The default is 512 KiB on
    /// wasm (whose default stack is 1 MiB) and 1 MiB elsewhere (the smallest default thread stack is 2 MiB); the
    /// thread running templates needs this much stack plus a margin.
    pub max_stack: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { missing_key: MissingKey::Default, max_depth: 1000, max_stack: crate::stack::DEFAULT_MAX_STACK }
    }
}

/// A set of named templates sharing functions and options (Go's template with its associated templates).
///
/// Parse once with [`TemplateSet::parse`], execute many times with [`TemplateSet::execute`]. Cloning is cheap
/// (parsed trees are shared) and gives an independent set, like Go's `Clone`.
#[derive(Clone)]
pub struct TemplateSet {
    name: Rc<str>,
    funcs: Rc<Funcs>,
    templates: HashMap<Rc<str>, Rc<Tree>>,
    options: Options,
    left_delim: Rc<str>,
    right_delim: Rc<str>,
}

impl std::fmt::Debug for TemplateSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<&str> = self.templates.keys().map(|k| k.as_ref()).collect();
        names.sort_unstable();
        f.debug_struct("TemplateSet").field("name", &self.name).field("templates", &names).finish_non_exhaustive()
    }
}

impl TemplateSet {
    /// A new, empty set called `name` (Helm calls its set `gotpl`) using `funcs`.
    pub fn new(name: &str, funcs: Funcs) -> Self {
        TemplateSet {
            name: Rc::from(name),
            funcs: Rc::new(funcs),
            templates: HashMap::new(),
            options: Options::default(),
            left_delim: Rc::from(""),
            right_delim: Rc::from(""),
        }
    }

    /// Replace the execution options.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Replace the execution options.
    pub fn set_options(&mut self, options: Options) {
        self.options = options;
    }

    /// The execution options.
    pub fn options(&self) -> Options {
        self.options
    }

    /// Use other action delimiters for later parses (empty strings mean `{{` and `}}`).
    pub fn set_delims(&mut self, left: &str, right: &str) {
        self.left_delim = Rc::from(left);
        self.right_delim = Rc::from(right);
    }

    /// The set's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The function table.
    pub fn funcs(&self) -> &Funcs {
        &self.funcs
    }

    /// Parse `text` as the template `name` (Go's `t.New(name).Parse(text)`): the top-level template and every
    /// `{{define}}`/`{{block}}` in it are added to the set. A definition replaces an existing template of the same
    /// name unless the new one is empty (only whitespace and comments).
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), ParseError> {
        self.parse_shared(name, Rc::from(text))
    }

    /// [`TemplateSet::parse`] of text the caller already holds shared: the trees keep this `Rc` (for error
    /// contexts) instead of a copy of the text.
    pub fn parse_shared(&mut self, name: &str, text: Rc<str>) -> Result<(), ParseError> {
        let trees = self.parse_trees(name, text)?;
        for tree in trees {
            let keep_old = tree.is_empty() && self.templates.contains_key(tree.name());
            if !keep_old {
                self.templates.insert(tree.name.clone(), Rc::new(tree));
            }
        }
        Ok(())
    }

    pub(crate) fn parse_trees(&self, name: &str, text: Rc<str>) -> Result<Vec<Tree>, ParseError> {
        let funcs = &self.funcs;
        parse::parse(
            name,
            text,
            &self.left_delim,
            &self.right_delim,
            &|n: &str| funcs.get(n).cloned(),
            self.options.max_stack,
        )
    }

    /// The template called `name`.
    pub fn lookup(&self, name: &str) -> Option<&Tree> {
        self.templates.get(name).map(|t| t.as_ref())
    }

    pub(crate) fn lookup_rc(&self, name: &str) -> Option<&Rc<Tree>> {
        self.templates.get(name)
    }

    /// Whether a template called `name` is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.templates.contains_key(name)
    }

    /// The names of all templates, sorted.
    pub fn template_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.templates.keys().map(|k| k.as_ref()).collect();
        names.sort_unstable();
        names
    }

    /// Execute the template called `name` with `data` as dot (Go's `ExecuteTemplate`). Partial output is discarded
    /// on error.
    pub fn execute(&self, name: &str, data: &Value) -> Result<String, Error> {
        let guard = Guard::new();
        let env = Env::new(self, None, &guard);
        env.execute_named(name, data)
    }
}
