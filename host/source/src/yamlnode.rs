//! A small YAML document model over `saphyr-parser` events, enough for index entries and `Chart.yaml` fields, with
//! the ability to skip subtrees without building them (for large indexes).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// A YAML node. Scalars keep their text; typing is left to the caller.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The value of a mapping key given as a plain string.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v),
            _ => None,
        }
    }
    /// Scalar text (`None` for null and collections).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }
    /// Sequence items (`None` for other nodes).
    pub fn as_seq(&self) -> Option<&[Node]> {
        match self {
            Node::Seq(v) => Some(v),
            _ => None,
        }
    }
}

/// Parse failure with the message from the parser or the builder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct YamlError(pub String);

const MAX_DEPTH: usize = 200;
const MAX_NODES: usize = 5_000_000;

pub(crate) struct Builder<'a> {
    events: Parser<'a, saphyr_parser::StrInput<'a>>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
}

impl<'a> Builder<'a> {
    pub fn new(text: &'a str) -> Builder<'a> {
        Builder { events: Parser::new_from_str(text), anchors: HashMap::new(), nodes: 0 }
    }

    pub fn next(&mut self) -> Result<(Event<'a>, Span), YamlError> {
        match self.events.next_event() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => Err(YamlError(format!("YAML syntax error: {e}"))),
            None => Err(YamlError("unexpected end of YAML".into())),
        }
    }

    fn count(&mut self, n: usize) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES { Err(YamlError("document too large (alias expansion?)".into())) } else { Ok(()) }
    }

    /// Builds the node that `first` starts.
    pub fn build(&mut self, first: Event<'a>, depth: usize) -> Result<Node, YamlError> {
        if depth > MAX_DEPTH {
            return Err(YamlError("nesting too deep".into()));
        }
        self.count(1)?;
        match first {
            Event::Scalar(text, style, anchor, _) => {
                let node =
                    if style == ScalarStyle::Plain && matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL") {
                        Node::Null
                    } else {
                        Node::Scalar(text.into_owned())
                    };
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                Ok(node)
            }
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().ok_or_else(|| YamlError("unknown alias".into()))?;
                self.count(size(&node))?;
                Ok(node)
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (ev, _) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.build(ev, depth + 1)?);
                }
                let node = Node::Seq(items);
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                Ok(node)
            }
            Event::MappingStart(anchor, _) => {
                let mut entries = Vec::new();
                loop {
                    let (ev, _) = self.next()?;
                    if matches!(ev, Event::MappingEnd) {
                        break;
                    }
                    let k = self.build(ev, depth + 1)?;
                    let (ev, _) = self.next()?;
                    let v = self.build(ev, depth + 1)?;
                    entries.push((k, v));
                }
                let node = Node::Map(entries);
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                Ok(node)
            }
            other => Err(YamlError(format!("unexpected YAML event {other:?}"))),
        }
    }

    /// Skips the node that `first` starts without building it.
    pub fn skip(&mut self, first: &Event<'a>) -> Result<(), YamlError> {
        let mut depth: usize = match first {
            Event::SequenceStart(..) | Event::MappingStart(..) => 1,
            _ => return Ok(()),
        };
        while depth > 0 {
            match self.next()?.0 {
                Event::SequenceStart(..) | Event::MappingStart(..) => depth += 1,
                Event::SequenceEnd | Event::MappingEnd => depth -= 1,
                _ => {}
            }
        }
        Ok(())
    }
}

fn size(n: &Node) -> usize {
    match n {
        Node::Null | Node::Scalar(_) => 1,
        Node::Seq(v) => 1 + v.iter().map(size).sum::<usize>(),
        Node::Map(v) => 1 + v.iter().map(|(k, v)| size(k) + size(v)).sum::<usize>(),
    }
}

/// Parses the first document of `text` into a node (an empty document is `Null`).
pub(crate) fn parse(text: &str) -> Result<Node, YamlError> {
    let mut b = Builder::new(text);
    loop {
        let (ev, _) = b.next()?;
        match ev {
            Event::StreamStart | Event::DocumentStart(_) => continue,
            Event::StreamEnd | Event::DocumentEnd => return Ok(Node::Null),
            other => return b.build(other, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_skips() {
        let n = parse("a: 1\nb: [x, ~]\nc: &k {d: e}\nf: *k\n").unwrap();
        assert_eq!(n.get("a").and_then(Node::as_str), Some("1"));
        assert_eq!(n.get("b").and_then(Node::as_seq).map(|s| s.len()), Some(2));
        assert_eq!(n.get("f").and_then(|f| f.get("d")).and_then(Node::as_str), Some("e"));
        assert!(parse("a: [").is_err());
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n\
                    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n\
                    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        assert!(parse(bomb).is_err());
    }
}
