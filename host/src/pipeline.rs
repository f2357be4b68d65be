//! The post-render chain: objects → plugin → plugin → … → objects, with provenance and unchanged-object
//! preservation.

use std::collections::HashMap;

use crate::manifest::{self, Entry, OutDoc};
use crate::plugin::{Document, Plugin, PluginCallError};

/// One configured step of a chain.
pub struct Step {
    /// The loaded plugin.
    pub plugin: Plugin,
    /// Its configuration text.
    pub config: String,
}

/// A post-render failure.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The plugin call failed.
    #[error(transparent)]
    Call(#[from] PluginCallError),
    /// The plugin returned something that is not one object.
    #[error("plugin `{plugin}` returned an invalid document #{index} (origin {origin}): {reason}")]
    BadOutput {
        /// Plugin name.
        plugin: String,
        /// 1-based position in its output.
        index: usize,
        /// The document's origin.
        origin: String,
        /// What is wrong.
        reason: String,
    },
}

/// Run `entries` (objects only; comment-only documents are dropped once any plugin runs) through `steps` in order.
///
/// Objects are sent as compact JSON. A document a plugin returns byte-identical to what it was sent keeps its
/// original text; anything else is validated and re-serialised.
pub fn post_render<'a>(entries: &'a [Entry], steps: &[Step]) -> Result<Vec<OutDoc<'a>>, ChainError> {
    if steps.is_empty() {
        return Ok(entries.iter().map(OutDoc::Unchanged).collect());
    }
    let mut originals: HashMap<Vec<u8>, &'a Entry> = HashMap::new();
    let mut docs: Vec<Document> = Vec::new();
    for e in entries {
        let Some(obj) = &e.object else { continue };
        let json = manifest::to_json(obj);
        originals.entry(json.clone()).or_insert(e);
        docs.push(Document { content: json, origin: e.origin.clone() });
    }
    for step in steps {
        let sent: Vec<Vec<u8>> = docs.iter().map(|d| d.content.clone()).collect();
        let out = step.plugin.post_render(&docs, &step.config)?;
        // Validate what changed; normalise it to JSON so the next plugin sees the same form as the first.
        let sent_set: std::collections::HashSet<&[u8]> = sent.iter().map(Vec::as_slice).collect();
        let mut next = Vec::with_capacity(out.len());
        for (i, d) in out.into_iter().enumerate() {
            if sent_set.contains(d.content.as_slice()) {
                next.push(d);
                continue;
            }
            let value = manifest::parse_returned(&d.content).map_err(|reason| ChainError::BadOutput {
                plugin: step.plugin.name().to_owned(),
                index: i + 1,
                origin: d.origin.clone(),
                reason,
            })?;
            next.push(Document { content: manifest::to_json(&value), origin: d.origin });
        }
        docs = next;
    }
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        match originals.get(&d.content) {
            Some(e) if e.origin == d.origin => out.push(OutDoc::Unchanged(e)),
            _ => {
                let value = manifest::parse_returned(&d.content).map_err(|reason| ChainError::BadOutput {
                    plugin: "(chain)".to_owned(),
                    index: out.len() + 1,
                    origin: d.origin.clone(),
                    reason,
                })?;
                out.push(OutDoc::Changed { origin: d.origin, value });
            }
        }
    }
    Ok(out)
}
