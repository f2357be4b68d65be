//! A minimal DER encoder and reader: just what certificates, private keys and PEM blocks need.

/// Universal tags used here.
pub(crate) mod tag {
    pub(crate) const BOOLEAN: u8 = 0x01;
    pub(crate) const INTEGER: u8 = 0x02;
    pub(crate) const BIT_STRING: u8 = 0x03;
    pub(crate) const OCTET_STRING: u8 = 0x04;
    pub(crate) const NULL: u8 = 0x05;
    pub(crate) const OID: u8 = 0x06;
    pub(crate) const UTF8_STRING: u8 = 0x0c;
    pub(crate) const PRINTABLE_STRING: u8 = 0x13;
    pub(crate) const UTC_TIME: u8 = 0x17;
    pub(crate) const GENERALIZED_TIME: u8 = 0x18;
    pub(crate) const SEQUENCE: u8 = 0x30;
    pub(crate) const SET: u8 = 0x31;
}

/// A TLV with the given tag and content.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already-encoded elements.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag::SEQUENCE, &parts.concat())
}

/// A context-specific constructed (explicit) tag `[n]` around encoded content.
pub(crate) fn explicit(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0xa0 | n, content)
}

/// An INTEGER holding the unsigned big-endian magnitude `be` (minimal encoding).
pub(crate) fn uint(be: &[u8]) -> Vec<u8> {
    let trimmed: &[u8] = {
        let start = be.iter().position(|&b| b != 0).unwrap_or(be.len());
        &be[start..]
    };
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend_from_slice(trimmed);
    tlv(tag::INTEGER, &content)
}

/// An INTEGER holding a small non-negative number.
pub(crate) fn small_uint(v: u64) -> Vec<u8> {
    uint(&v.to_be_bytes())
}

/// An OBJECT IDENTIFIER from its arcs.
pub(crate) fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut content = Vec::new();
    let first = arcs.first().copied().unwrap_or(0) * 40 + arcs.get(1).copied().unwrap_or(0);
    for &arc in std::iter::once(&first).chain(arcs.iter().skip(2)) {
        let mut groups = vec![(arc & 0x7f) as u8];
        let mut v = arc >> 7;
        while v > 0 {
            groups.push((v & 0x7f) as u8 | 0x80);
            v >>= 7;
        }
        groups.reverse();
        content.extend(groups);
    }
    tlv(tag::OID, &content)
}

/// A BIT STRING with no unused bits.
pub(crate) fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut content = vec![0u8];
    content.extend_from_slice(bytes);
    tlv(tag::BIT_STRING, &content)
}

/// An OCTET STRING.
pub(crate) fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(tag::OCTET_STRING, bytes)
}

/// NULL.
pub(crate) fn null() -> Vec<u8> {
    tlv(tag::NULL, &[])
}

/// A malformed-DER error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DerError(pub(crate) &'static str);

impl std::fmt::Display for DerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// One decoded element.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) content: &'a [u8],
    /// The whole encoding (tag, length and content).
    pub(crate) raw: &'a [u8],
}

/// A cursor over a run of DER elements.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The tag of the next element, if any.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// The next element (single-byte tags, definite lengths, minimal long-form lengths).
    pub(crate) fn read(&mut self) -> Result<Tlv<'a>, DerError> {
        let d = self.data;
        let &tag = d.first().ok_or(DerError("truncated element"))?;
        if tag & 0x1f == 0x1f {
            return Err(DerError("multi-byte tags are not supported"));
        }
        let &first = d.get(1).ok_or(DerError("truncated length"))?;
        let (len, header) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return Err(DerError("unsupported length encoding"));
            }
            let bytes = d.get(2..2 + n).ok_or(DerError("truncated length"))?;
            if bytes[0] == 0 {
                return Err(DerError("non-minimal length"));
            }
            let len = bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                return Err(DerError("non-minimal length"));
            }
            (len, 2 + n)
        };
        let end = header.checked_add(len).ok_or(DerError("length overflow"))?;
        let raw = d.get(..end).ok_or(DerError("data truncated"))?;
        self.data = &d[end..];
        Ok(Tlv { tag, content: &raw[header..], raw })
    }

    /// The next element, which must have `tag`.
    pub(crate) fn expect(&mut self, tag: u8) -> Result<Tlv<'a>, DerError> {
        let t = self.read()?;
        if t.tag != tag {
            return Err(DerError("unexpected tag"));
        }
        Ok(t)
    }

    /// The next element if it has `tag`.
    pub(crate) fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, DerError> {
        if self.peek_tag() == Some(tag) { self.read().map(Some) } else { Ok(None) }
    }

    /// The content of the next SEQUENCE, as a reader.
    pub(crate) fn sequence(&mut self) -> Result<Reader<'a>, DerError> {
        Ok(Reader::new(self.expect(tag::SEQUENCE)?.content))
    }

    /// The magnitude of the next INTEGER, which must be non-negative (leading zeros stripped).
    pub(crate) fn uint(&mut self) -> Result<&'a [u8], DerError> {
        let c = self.expect(tag::INTEGER)?.content;
        match c {
            [] => Err(DerError("empty integer")),
            [b, ..] if b & 0x80 != 0 => Err(DerError("negative integer")),
            [0, b, ..] if b & 0x80 == 0 => Err(DerError("integer not minimally-encoded")),
            [0, rest @ ..] => Ok(rest),
            _ => Ok(c),
        }
    }

    /// Fail unless every element was consumed.
    pub(crate) fn finish(&self) -> Result<(), DerError> {
        if self.data.is_empty() { Ok(()) } else { Err(DerError("trailing data")) }
    }
}

/// Parse exactly one element spanning all of `data`.
pub(crate) fn single(data: &[u8]) -> Result<Tlv<'_>, DerError> {
    let mut r = Reader::new(data);
    let t = r.read()?;
    r.finish()?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_reads_back() {
        assert_eq!(oid(&[1, 2, 840, 113_549, 1, 1, 11]), [6, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 11]);
        assert_eq!(uint(&[0x80]), [2, 2, 0, 0x80]);
        assert_eq!(small_uint(0), [2, 1, 0]);
        let long = vec![7u8; 300];
        let enc = seq(&[&octets(&long)]);
        let mut r = Reader::new(&enc);
        let mut inner = r.sequence().unwrap_or(Reader::new(&[]));
        assert_eq!(inner.expect(tag::OCTET_STRING).map(|t| t.content.len()), Ok(300));
        assert!(r.finish().is_ok());
        assert!(single(&[0x30, 0x81, 0x05]).is_err());
    }
}
