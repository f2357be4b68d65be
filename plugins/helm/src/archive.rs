//! Chart archives (`.tgz`): gzip-compressed tar files whose entries all sit under one top directory.
//!
//! Extraction follows Helm's `LoadArchiveFiles`: the first path component is dropped, `\` separators are accepted,
//! directories and PAX headers are skipped, a UTF-8 BOM is stripped, and the same limits apply (100 MiB in total,
//! 5 MiB per file). Absolute paths, paths escaping the chart (`..`), Windows drive paths and a `Chart.yaml` outside
//! the top directory are rejected. Unlike Helm, links are rejected too, and the number of entries is bounded.

use std::io::Read;

use crate::ChartFile;

/// Largest total decompressed size of one archive.
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Largest decompressed size of one file.
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// Most entries one archive may hold.
pub const MAX_ENTRIES: usize = 20_000;

/// Why an archive could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ArchiveError(pub String);

fn err(s: impl Into<String>) -> ArchiveError {
    ArchiveError(s.into())
}

/// `path.Clean` for `/`-separated paths.
pub fn clean_path(p: &str) -> String {
    kiln_yaml::gofmt::path_clean(p)
}

fn is_drive_path(n: &str) -> bool {
    let b = n.as_bytes();
    b.len() >= 3
        && b.first().is_some_and(|c| c.is_ascii_alphabetic())
        && b.get(1) == Some(&b':')
        && b.get(2) == Some(&b'/')
}

/// Strip a leading UTF-8 byte order mark.
pub fn strip_bom(data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(&[0xEF, 0xBB, 0xBF]) { data.get(3..).unwrap_or_default().to_vec() } else { data }
}

/// Extract the files of a chart archive, in archive order, with paths relative to the chart root.
pub fn extract(data: &[u8]) -> Result<Vec<ChartFile>, ArchiveError> {
    let gz = flate2::read::GzDecoder::new(data);
    let mut archive = tar::Archive::new(gz);
    let entries = archive.entries().map_err(|e| err(e.to_string()))?;
    let mut files = Vec::new();
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE;
    let mut count = 0usize;
    for entry in entries {
        let mut entry = entry.map_err(|e| err(e.to_string()))?;
        count += 1;
        if count > MAX_ENTRIES {
            return Err(err(format!("chart archive has more than {MAX_ENTRIES} entries")));
        }
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(err(format!("chart archive contains a link, which is not allowed: {raw_name:?}")));
        }
        if !(kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse()) {
            return Err(err(format!("chart archive contains an unsupported entry: {raw_name:?}")));
        }
        let delimiter = if raw_name.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw_name.split(delimiter).collect();
        let name = parts.get(1..).unwrap_or_default().join("/");
        if name.starts_with('/') {
            return Err(err("chart illegally contains absolute paths"));
        }
        let name = clean_path(&name);
        if name == "." {
            return Err(err(format!("chart illegally contains content outside the base directory: {raw_name:?}")));
        }
        if name.starts_with("..") {
            return Err(err("chart illegally references parent directory"));
        }
        if is_drive_path(&name) {
            return Err(err("chart contains illegally named files"));
        }
        if parts.first() == Some(&"Chart.yaml") {
            return Err(err("chart yaml not in base directory"));
        }
        let size = entry.header().size().unwrap_or(0);
        if size > remaining {
            return Err(err(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        if size > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(err(format!(
                "decompressed chart file {raw_name:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            )));
        }
        // Sized from the header (within the limits checked above) so the entry decompresses into one allocation.
        let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let read = (&mut entry)
            .take(remaining.min(MAX_DECOMPRESSED_FILE_SIZE + 1))
            .read_to_end(&mut buf)
            .map_err(|e| err(e.to_string()))? as u64;
        remaining = remaining.saturating_sub(read);
        if read < size || remaining == 0 || read > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(err(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        files.push(ChartFile::new(name, strip_bom(buf)));
    }
    if files.is_empty() {
        return Err(err("no files in chart archive"));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
        for (name, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            // Write the raw name so that malicious paths reach the extractor unchanged.
            let name_field = &mut h.as_old_mut().name;
            for (dst, src) in name_field.iter_mut().zip(name.bytes()) {
                *dst = src;
            }
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn extracts_and_strips_top_dir() {
        let files =
            extract(&tgz(&[("c/Chart.yaml", b"name: c"), ("c/templates/a.yaml", b"\xEF\xBB\xBFa: 1")])).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].name, "Chart.yaml");
        assert_eq!(files[1].name, "templates/a.yaml");
        assert_eq!(&*files[1].data, b"a: 1");
    }

    #[test]
    fn rejects_escapes() {
        assert!(extract(&tgz(&[("c/../../etc/passwd", b"x")])).is_err());
        assert!(extract(&tgz(&[("Chart.yaml", b"x")])).is_err());
        assert!(extract(b"not gzip").is_err());
        assert_eq!(clean_path("a/./b/../c"), "a/c");
        assert_eq!(clean_path("../x"), "../x");
    }
}
