//! Reading a local chart (a directory or a packaged `.tgz`) into the file list a renderer plugin receives.
//!
//! A directory is read recursively in byte order of paths. Symbolic links are followed only when they resolve
//! inside the chart directory; anything else (devices, sockets, links pointing outside) is refused, so a chart can
//! never make kiln hand a renderer files from elsewhere on the machine. A `.tgz` is passed as one file: the renderer
//! unpacks it inside its sandbox, under its memory limit, with its own path checks.

use std::path::{Path, PathBuf};

/// Most files a chart directory may hold.
pub const MAX_FILES: usize = 20_000;
/// Largest total size of a chart directory (Helm's `MaxDecompressedChartSize`).
pub const MAX_TOTAL: u64 = 100 << 20;
/// Largest single file (Helm's `MaxDecompressedFileSize`).
pub const MAX_FILE: u64 = 5 << 20;

/// A chart that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ChartReadError {
    /// An I/O error.
    #[error("reading chart {path}")]
    Io {
        /// What was being read.
        path: PathBuf,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// The path is neither a directory nor a `.tgz` file.
    #[error("{0}: not a chart directory or a packaged chart (.tgz)")]
    NotAChart(PathBuf),
    /// A limit was exceeded.
    #[error("chart {path}: {what} exceeds the limit of {limit}")]
    Limit {
        /// The chart.
        path: PathBuf,
        /// Which limit.
        what: String,
        /// The limit.
        limit: String,
    },
    /// A file kiln refuses to read.
    #[error("chart {path}: refusing {entry}: {why}")]
    Refused {
        /// The chart.
        path: PathBuf,
        /// The entry.
        entry: String,
        /// Why.
        why: &'static str,
    },
}

/// Read a chart directory or `.tgz` into `(path, bytes)` pairs.
pub fn read_chart(path: &Path) -> Result<Vec<(String, Vec<u8>)>, ChartReadError> {
    let io = |source| ChartReadError::Io { path: path.to_owned(), source };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_file() {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !(name.ends_with(".tgz") || name.ends_with(".tar.gz")) {
            return Err(ChartReadError::NotAChart(path.to_owned()));
        }
        if meta.len() > MAX_TOTAL {
            return Err(ChartReadError::Limit {
                path: path.to_owned(),
                what: format!("the archive size ({} bytes)", meta.len()),
                limit: format!("{MAX_TOTAL} bytes"),
            });
        }
        return Ok(vec![(name, std::fs::read(path).map_err(io)?)]);
    }
    if !meta.is_dir() {
        return Err(ChartReadError::NotAChart(path.to_owned()));
    }
    let root = std::fs::canonicalize(path).map_err(io)?;
    let mut out = Vec::new();
    let mut total = 0u64;
    walk(&root, &root, "", &mut out, &mut total, path)?;
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn walk(
    root: &Path,
    dir: &Path,
    prefix: &str,
    out: &mut Vec<(String, Vec<u8>)>,
    total: &mut u64,
    chart: &Path,
) -> Result<(), ChartReadError> {
    let io = |source| ChartReadError::Io { path: dir.to_owned(), source };
    let mut entries: Vec<_> = std::fs::read_dir(dir).map_err(io)?.collect::<Result<_, _>>().map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        let mut p = e.path();
        let mut ft = e.file_type().map_err(io)?;
        if ft.is_symlink() {
            let target = std::fs::canonicalize(&p).map_err(|source| ChartReadError::Io { path: p.clone(), source })?;
            if !target.starts_with(root) {
                return Err(ChartReadError::Refused {
                    path: chart.to_owned(),
                    entry: rel,
                    why: "it is a symbolic link pointing outside the chart",
                });
            }
            ft = std::fs::metadata(&target)
                .map_err(|source| ChartReadError::Io { path: p.clone(), source })?
                .file_type();
            p = target;
        }
        if ft.is_dir() {
            walk(root, &p, &rel, out, total, chart)?;
        } else if ft.is_file() {
            let len = std::fs::metadata(&p).map_err(|source| ChartReadError::Io { path: p.clone(), source })?.len();
            if len > MAX_FILE {
                return Err(ChartReadError::Limit {
                    path: chart.to_owned(),
                    what: format!("file {rel} ({len} bytes)"),
                    limit: format!("{MAX_FILE} bytes per file"),
                });
            }
            *total += len;
            if *total > MAX_TOTAL {
                return Err(ChartReadError::Limit {
                    path: chart.to_owned(),
                    what: "the total size of its files".into(),
                    limit: format!("{MAX_TOTAL} bytes"),
                });
            }
            if out.len() >= MAX_FILES {
                return Err(ChartReadError::Limit {
                    path: chart.to_owned(),
                    what: "the number of files".into(),
                    limit: MAX_FILES.to_string(),
                });
            }
            let data = std::fs::read(&p).map_err(|source| ChartReadError::Io { path: p.clone(), source })?;
            out.push((rel, data));
        } else {
            return Err(ChartReadError::Refused {
                path: chart.to_owned(),
                entry: rel,
                why: "it is not a regular file or directory",
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dirs_and_refuses_escaping_links() {
        let d = tempfile::tempdir().expect("tmp");
        let chart = d.path().join("c");
        std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
        std::fs::write(chart.join("Chart.yaml"), "name: c\n").expect("w");
        std::fs::write(chart.join("templates/a.yaml"), "a: 1\n").expect("w");
        let files = read_chart(&chart).expect("read");
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(names, ["Chart.yaml", "templates/a.yaml"]);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/passwd", chart.join("templates/leak.yaml")).expect("symlink");
            let err = read_chart(&chart).expect_err("escaping link");
            assert!(err.to_string().contains("outside the chart"), "{err}");
        }
        assert!(read_chart(&d.path().join("missing")).is_err());
    }
}
