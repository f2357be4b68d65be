//! The `openapi` field: which schema strategic-merge patches use, as kustomize decides it.
//!
//! kustomize keeps the schema in process-wide state that the build mutates as it goes, and kiln reproduces that
//! state machine rather than a simplification of it, because the answers differ:
//!
//! * The top kustomization's `openapi` is set first (`version: v1.21.2`, the built-in schema, or `path:` a custom
//!   schema file). A kustomization or component further down sets it only when nothing has been set yet, at the
//!   moment the build enters it; anything patched before that used the built-in schema.
//! * A custom schema **replaces** the built-in one when it is in force from the start: built-in kinds then have
//!   no merge keys, so their lists are replaced by patches.
//! * When a base or component sets it later, the built-in schema may already be loaded (a strategic-merge patch
//!   ran, and the custom definitions are added over it) or be due (a resource of a kind kustomize does not know
//!   the scope of was read, and the built-in definitions are added after the custom ones). See
//!   [`kpatch::schema::openapi::Layering`].
//! * The file is parsed when a schema is first needed, not when it is named; a file that is not an OpenAPI
//!   document is an error then (kustomize panics).
//!
//! Custom schemas also tell the scope of their kinds (from their paths); kustomize consults that for kinds it
//! does not know, see [`custom_scope`].

use std::cell::RefCell;

use kiln_yaml::Value;
use kpatch::schema::openapi::{self, Layering};
use kpatch::schema::{KindMap, SchemaTable, Scope};
use kpatch::smp::Schemas;

use crate::error::{Error, Result};

/// The only built-in schema version kustomize v5.7.1 carries (its default).
pub const BUILTIN_VERSION: &str = "v1.21.2";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Builtin {
    /// Not loaded.
    NotParsed,
    /// To be loaded with the next schema (after a custom one).
    Delayed,
    /// Loaded.
    Parsed,
}

/// The schema a kustomization's `openapi` field chose.
#[derive(Debug, Default)]
enum Chosen {
    /// Nothing chosen yet (the built-in schema is used).
    #[default]
    Unset,
    /// `version: v1.21.2`.
    Builtin,
    /// `path:` a custom schema file (its tree path and bytes), and its table once loaded.
    Custom { path: String, bytes: Vec<u8>, table: Option<Box<SchemaTable>> },
}

/// The build's schema state (kustomize's `kyaml/openapi` globals).
#[derive(Debug)]
pub struct SchemaState {
    chosen: Chosen,
    /// Whether the schema in force has been loaded.
    init: bool,
    builtin: Builtin,
}

impl Default for SchemaState {
    fn default() -> Self {
        Self { chosen: Chosen::Unset, init: false, builtin: Builtin::NotParsed }
    }
}

thread_local! {
    /// Scopes of kinds the custom schema in force serves under paths (see [`custom_scope`]).
    static SCOPES: RefCell<KindMap<bool>> = RefCell::new(KindMap::default());
}

/// Whether the custom schema in force says `apiVersion`/`kind` is cluster-scoped (`Some(true)`), namespaced
/// (`Some(false)`), or does not say.
pub fn custom_scope(api_version: &str, kind: &str) -> Option<bool> {
    SCOPES.with(|s| s.borrow().get(api_version, kind).copied())
}

impl SchemaState {
    /// A fresh state; clears the scopes a previous build on this thread left behind.
    pub fn new() -> Self {
        SCOPES.with(|s| *s.borrow_mut() = KindMap::default());
        Self::default()
    }

    /// kustomize's `SetSchema`: `openapi` is the kustomization's field, `file` the custom schema (path and bytes)
    /// already loaded when it names one. `reset` is true for the top kustomization only.
    pub fn set(&mut self, openapi: &[(String, String)], file: Option<(String, Vec<u8>)>, reset: bool) -> Result<()> {
        if !matches!(self.chosen, Chosen::Unset) && !reset {
            return Ok(());
        }
        // As kustomize: naming `version` at all (even empty) conflicts with `path`.
        let version = openapi.iter().find(|(k, _)| k == "version").map(|(_, v)| v.as_str());
        if let Some((path, bytes)) = file {
            if version.is_some() {
                return Err(Error::invalid("builtin version and custom schema provided, cannot use both"));
            }
            self.chosen = Chosen::Custom { path, bytes, table: None };
            self.init = false;
            return Ok(());
        }
        match version.unwrap_or_default() {
            "" => Ok(()),
            BUILTIN_VERSION => {
                self.chosen = Chosen::Builtin;
                self.init = false;
                Ok(())
            }
            other => Err(Error::invalid(format!(
                "the specified OpenAPI version is not built in (openapi.version {other:?}; kustomize v5.7.1 has {BUILTIN_VERSION} only)"
            ))),
        }
    }

    /// A resource of `apiVersion`/`kind` was read: kustomize asks the schema for its scope, which loads a custom
    /// schema in force, or marks the built-in one as due, for kinds it does not know.
    pub fn saw_kind(&mut self, api_version: &str, kind: &str) -> Result<()> {
        if kpatch::schema::builtin().kind(api_version, kind).is_some() || self.init {
            return Ok(());
        }
        if matches!(self.chosen, Chosen::Custom { .. }) {
            return self.load();
        }
        if self.builtin == Builtin::NotParsed {
            self.builtin = Builtin::Delayed;
        }
        Ok(())
    }

    /// Load the schema in force (kustomize's `initSchema`).
    fn load(&mut self) -> Result<()> {
        if self.init {
            return Ok(());
        }
        let Chosen::Custom { path, bytes, table } = &mut self.chosen else {
            self.builtin = Builtin::Parsed;
            self.init = true;
            return Ok(());
        };
        let layering = match self.builtin {
            Builtin::NotParsed => Layering::Alone,
            Builtin::Delayed => Layering::BuiltinWins,
            Builtin::Parsed => Layering::CustomWins,
        };
        let doc = parse_document(path, bytes)?;
        let loaded = openapi::custom(path, &doc, kpatch::schema::builtin(), layering)
            .map_err(|e| Error::invalid(format!("invalid schema file: {e}")))?;
        if self.builtin == Builtin::Delayed {
            self.builtin = Builtin::Parsed;
        }
        SCOPES.with(|s| {
            let mut s = s.borrow_mut();
            for k in &loaded.kinds {
                let cluster = match k.scope {
                    Scope::Cluster => true,
                    Scope::Namespaced => false,
                    Scope::Unknown => continue,
                };
                s.insert(&k.api_version, &k.kind, cluster);
            }
        });
        *table = Some(Box::new(loaded));
        self.init = true;
        Ok(())
    }

    /// The schemas a strategic-merge patch uses now (loading the schema in force first).
    pub fn schemas(&mut self) -> Result<Schemas<'_>> {
        self.load()?;
        Ok(match &self.chosen {
            Chosen::Custom { table: Some(t), .. } => Schemas { builtin: t.as_ref(), crds: None },
            _ => Schemas::builtin(),
        })
    }
}

/// Parse a schema file as kustomize does: JSON when it starts with `{`, YAML otherwise.
fn parse_document(path: &str, bytes: &[u8]) -> Result<Value> {
    let bad = |e: &dyn std::fmt::Display| Error::invalid(format!("invalid schema file: {path}: {e}"));
    let text = std::str::from_utf8(bytes).map_err(|e| bad(&e))?;
    if bytes.first() == Some(&b'{') {
        serde_json::from_str(text).map_err(|e| bad(&e))
    } else {
        kiln_yaml::from_str_with(text, &kiln_yaml::LoadOptions::kustomize()).map_err(|e| bad(&e))
    }
}
