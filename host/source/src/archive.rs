//! Reading archives and directories into file lists, with the hardening rules and limits of [`Limits`].
//!
//! Refused: entries whose path is absolute, contains `..`, a drive prefix or a backslash trick; links, devices,
//! FIFOs and other special entries; duplicate paths. Capped: decompressed bytes (checked while decompressing, so a
//! gzip bomb stops at the cap), single-file size (checked from the header before reading) and the number of files.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::options::Limits;

/// One file of a source: its path relative to the source root (`/`-separated) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the chart or overlay root, `/`-separated, no `.` or `..` parts.
    pub path: String,
    /// The file's bytes, unchanged.
    pub data: Vec<u8>,
}

/// Counts bytes coming out of a decompressor and fails once they pass the cap.
struct CappedReader<R> {
    inner: R,
    remaining: u64,
    cap: u64,
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.remaining {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("decompressed data exceeds {} bytes", self.cap),
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Checks and normalises an archive path (already stripped of its leading directory if that applies).
fn clean_path(raw: &str, what: &str) -> Result<String> {
    let bad = |reason: &str| Error::archive(what, format!("entry {raw:?}: {reason}"));
    if raw.contains('\0') {
        return Err(bad("NUL in path"));
    }
    let p = raw.replace('\\', "/");
    if p.starts_with('/') {
        return Err(bad("absolute path"));
    }
    let b = p.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err(bad("drive-qualified path"));
    }
    let mut parts = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(bad("path escapes the root with `..`")),
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return Err(bad("empty path"));
    }
    Ok(parts.join("/"))
}

/// Reads a gzip-compressed tar archive. With `strip_first`, the first path component (a chart's top directory) is
/// removed as Helm does, and a file directly at the top level is refused.
pub fn read_tgz(data: &[u8], what: &str, limits: &Limits, strip_first: bool) -> Result<Vec<SourceFile>> {
    if !data.starts_with(&[0x1f, 0x8b]) {
        return Err(Error::archive(what, "not a gzip-compressed archive"));
    }
    let gz = flate2::read::GzDecoder::new(data);
    read_tar(gz, what, limits, strip_first)
}

/// Reads an uncompressed tar stream (see [`read_tgz`]).
pub fn read_tar<R: Read>(reader: R, what: &str, limits: &Limits, strip_first: bool) -> Result<Vec<SourceFile>> {
    // Headers and padding add at most 1.5 KiB per entry on top of the contents.
    let cap =
        limits.max_total_bytes.saturating_add((limits.max_files as u64).saturating_mul(1536)).saturating_add(1 << 20);
    let capped = CappedReader { inner: reader, remaining: cap, cap };
    let mut ar = tar::Archive::new(capped);
    let map_io = |e: io::Error| {
        if e.kind() == io::ErrorKind::FileTooLarge {
            Error::limit(what, e.to_string())
        } else {
            Error::archive(what, format!("corrupt archive: {e}"))
        }
    };
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut total: u64 = 0;
    for entry in ar.entries().map_err(map_io)? {
        let mut entry = entry.map_err(map_io)?;
        let kind = entry.header().entry_type();
        let raw = String::from_utf8(entry.path_bytes().into_owned())
            .map_err(|_| Error::archive(what, "entry path is not UTF-8"))?;
        if kind.is_dir() {
            continue;
        }
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if !(kind.is_file() || kind.is_contiguous()) {
            let name = if kind.is_symlink() {
                "symbolic link"
            } else if kind.is_hard_link() {
                "hard link"
            } else if kind.is_character_special() || kind.is_block_special() {
                "device"
            } else if kind.is_fifo() {
                "FIFO"
            } else {
                "special entry"
            };
            return Err(Error::archive(what, format!("entry {raw:?}: {name}s are not allowed")));
        }
        // Absolute and drive-qualified names are refused before the top directory is stripped.
        let normalized_raw = raw.replace('\\', "/");
        if normalized_raw.starts_with('/')
            || normalized_raw.as_bytes().get(1) == Some(&b':') && normalized_raw.as_bytes()[0].is_ascii_alphabetic()
        {
            return Err(Error::archive(what, format!("entry {raw:?}: absolute path")));
        }
        let rel = if strip_first {
            let normalized = raw.replace('\\', "/");
            let trimmed = normalized.trim_start_matches("./");
            match trimmed.split_once('/') {
                Some((_, rest)) if !rest.is_empty() => rest.to_owned(),
                _ => {
                    return Err(Error::archive(
                        what,
                        format!("entry {raw:?} is outside the chart's top-level directory"),
                    ));
                }
            }
        } else {
            raw.clone()
        };
        let path = clean_path(&rel, what)?;
        let size = entry.header().size().map_err(map_io)?;
        if size > limits.max_file_bytes {
            return Err(Error::limit(
                what,
                format!("file {path:?} is {size} bytes, more than the {} byte file limit", limits.max_file_bytes),
            ));
        }
        if total.saturating_add(size) > limits.max_total_bytes {
            return Err(Error::limit(
                what,
                format!("decompressed contents exceed the {} byte total limit", limits.max_total_bytes),
            ));
        }
        if files.len() >= limits.max_files {
            return Err(Error::limit(what, format!("more than {} files", limits.max_files)));
        }
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        entry.by_ref().take(size).read_to_end(&mut data).map_err(map_io)?;
        if data.len() as u64 != size {
            return Err(Error::archive(what, format!("entry {path:?} is truncated")));
        }
        total += size;
        if files.insert(path.clone(), data).is_some() {
            return Err(Error::archive(what, format!("duplicate entry {path:?}")));
        }
    }
    if files.is_empty() {
        return Err(Error::archive(what, "no files in archive"));
    }
    Ok(files.into_iter().map(|(path, data)| SourceFile { path, data }).collect())
}

/// Reads a local directory recursively. Symbolic links are followed as Helm does (cycles refused); devices, FIFOs and
/// sockets are refused; the same limits as for archives apply.
pub fn read_dir(root: &Path, limits: &Limits) -> Result<Vec<SourceFile>> {
    let what = root.display().to_string();
    let mut out = BTreeMap::new();
    let mut total = 0u64;
    let canonical = fs::canonicalize(root).map_err(|e| Error::io(root, e))?;
    let mut stack = vec![canonical];
    walk(root, "", limits, &what, &mut out, &mut total, &mut stack)?;
    if out.is_empty() {
        return Err(Error::archive(&what, "directory has no files"));
    }
    Ok(out.into_iter().map(|(path, data)| SourceFile { path, data }).collect())
}

fn walk(
    dir: &Path,
    prefix: &str,
    limits: &Limits,
    what: &str,
    out: &mut BTreeMap<String, Vec<u8>>,
    total: &mut u64,
    stack: &mut Vec<PathBuf>,
) -> Result<()> {
    if stack.len() > 64 {
        return Err(Error::archive(what, "directories nested more than 64 deep"));
    }
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .collect::<io::Result<Vec<_>>>()
        .map_err(|e| Error::io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry
            .file_name()
            .into_string()
            .map_err(|n| Error::archive(what, format!("file name {} is not UTF-8", Path::new(&n).display())))?;
        let rel = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        let path = entry.path();
        // Follow symbolic links (metadata, not symlink_metadata).
        let meta = fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        if meta.is_dir() {
            let canon = fs::canonicalize(&path).map_err(|e| Error::io(&path, e))?;
            if stack.contains(&canon) {
                return Err(Error::archive(what, format!("{rel:?}: symbolic link cycle")));
            }
            stack.push(canon);
            walk(&path, &rel, limits, what, out, total, stack)?;
            stack.pop();
            continue;
        }
        if !meta.is_file() {
            return Err(Error::archive(what, format!("{rel:?} is not a regular file (device, FIFO or socket)")));
        }
        if meta.len() > limits.max_file_bytes {
            return Err(Error::limit(
                what,
                format!(
                    "file {rel:?} is {} bytes, more than the {} byte file limit",
                    meta.len(),
                    limits.max_file_bytes
                ),
            ));
        }
        if out.len() >= limits.max_files {
            return Err(Error::limit(what, format!("more than {} files", limits.max_files)));
        }
        // Sized from the metadata (already within the limit) so the file is read in one call plus the EOF probe;
        // `take` keeps a file that grows meanwhile from being read past the limit.
        let mut data = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
        fs::File::open(&path)
            .and_then(|f| f.take(limits.max_file_bytes + 1).read_to_end(&mut data))
            .map_err(|e| Error::io(&path, e))?;
        if data.len() as u64 > limits.max_file_bytes {
            return Err(Error::limit(what, format!("file {rel:?} grew past the file limit while being read")));
        }
        *total += data.len() as u64;
        if *total > limits.max_total_bytes {
            return Err(Error::limit(what, format!("contents exceed the {} byte total limit", limits.max_total_bytes)));
        }
        out.insert(rel, data);
    }
    Ok(())
}

/// A deterministic tar of a file list (sorted paths, fixed metadata), used to give Git trees and directories a
/// stable content digest and a cache blob.
pub fn canonical_tar(files: &[SourceFile]) -> Result<Vec<u8>> {
    let mut sorted: Vec<&SourceFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut b = tar::Builder::new(Vec::new());
    b.mode(tar::HeaderMode::Deterministic);
    for f in sorted {
        let mut h = tar::Header::new_gnu();
        h.set_size(f.data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, &f.path, f.data.as_slice())
            .map_err(|e| Error::archive(&f.path, format!("cannot archive: {e}")))?;
    }
    b.into_inner().map_err(|e| Error::archive("canonical archive", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(entries: &[(&str, tar::EntryType, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, kind, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            // Write the name bytes directly so that hostile names survive the builder's own checks.
            let gnu = h.as_gnu_mut().unwrap();
            gnu.name[..name.len()].copy_from_slice(name.as_bytes());
            if *kind == tar::EntryType::Symlink {
                h.set_link_name("/etc/passwd").unwrap();
            }
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        let raw = b.into_inner().unwrap();
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut e, &raw).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn chart_archive_is_read_relative_to_its_root() {
        let data = tgz(&[
            ("mychart/Chart.yaml", tar::EntryType::Regular, b"name: x"),
            ("mychart/templates/a.yaml", tar::EntryType::Regular, b"a"),
        ]);
        let files = read_tgz(&data, "t", &Limits::default(), true).unwrap();
        let paths: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["Chart.yaml", "templates/a.yaml"]);
    }

    #[test]
    fn hostile_entries_are_refused() {
        let l = Limits::default();
        for (name, kind) in [
            ("c/../../etc/passwd", tar::EntryType::Regular),
            ("/etc/passwd", tar::EntryType::Regular),
            ("c/link", tar::EntryType::Symlink),
            ("c/dev", tar::EntryType::Char),
            ("c/C:/x", tar::EntryType::Regular),
            ("Chart.yaml", tar::EntryType::Regular),
        ] {
            let data = tgz(&[(name, kind, b"")]);
            let err = read_tgz(&data, "t", &l, true).unwrap_err();
            assert!(matches!(err, Error::Archive { .. }), "{name}: {err}");
        }
    }

    #[test]
    fn gzip_bomb_stops_at_the_cap() {
        // 64 MiB of zeros inside one entry compress to about 64 KiB.
        let big = vec![0u8; 64 << 20];
        let data = tgz(&[("c/zeros", tar::EntryType::Regular, &big)]);
        assert!(data.len() < 1 << 20);
        let limits = Limits { max_file_bytes: 1 << 20, ..Limits::default() };
        let err = read_tgz(&data, "t", &limits, true).unwrap_err();
        assert!(matches!(err, Error::Limit { .. }), "{err}");
        let limits = Limits { max_total_bytes: 1 << 20, max_file_bytes: 128 << 20, ..Limits::default() };
        let err = read_tgz(&data, "t", &limits, true).unwrap_err();
        assert!(matches!(err, Error::Limit { .. }), "{err}");
    }

    #[test]
    fn file_count_is_capped() {
        let names: Vec<String> = (0..20).map(|i| format!("c/f{i}")).collect();
        let entries: Vec<_> = names.iter().map(|n| (n.as_str(), tar::EntryType::Regular, &b"x"[..])).collect();
        let data = tgz(&entries);
        let limits = Limits { max_files: 10, ..Limits::default() };
        assert!(matches!(read_tgz(&data, "t", &limits, true), Err(Error::Limit { .. })));
    }

    #[test]
    fn canonical_tar_is_deterministic() {
        let a = vec![
            SourceFile { path: "b".into(), data: b"2".to_vec() },
            SourceFile { path: "a/x".into(), data: b"1".to_vec() },
        ];
        let mut b = a.clone();
        b.reverse();
        assert_eq!(canonical_tar(&a).unwrap(), canonical_tar(&b).unwrap());
        let back = read_tar(&canonical_tar(&a).unwrap()[..], "t", &Limits::default(), false).unwrap();
        assert_eq!(back[0].path, "a/x");
    }
}
