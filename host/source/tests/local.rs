//! Local directory sources: identified by the digest of their canonical tar, unless the caller only reads them.

use kiln_source::{FetchOptions, RefFlags, SourceKind, SourceRef};

fn chart_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("Chart.yaml"), "apiVersion: v2\nname: c\nversion: 1.2.3\n").expect("write");
    std::fs::create_dir(dir.path().join("templates")).expect("mkdir");
    std::fs::write(dir.path().join("templates/cm.yaml"), "kind: ConfigMap\n").expect("write");
    dir
}

#[test]
fn a_local_directory_is_digested_unless_only_its_files_are_wanted() {
    let dir = chart_dir();
    let cache = tempfile::tempdir().expect("temp dir");
    let r = SourceRef::parse(&dir.path().display().to_string(), &RefFlags::default()).expect("reference");
    let opts = FetchOptions { cache_root: Some(cache.path().to_owned()), ..FetchOptions::default() };

    let full = kiln_source::fetch(&r, &opts).expect("fetch");
    assert_eq!(full.kind, SourceKind::LocalDir);
    assert!(full.digest.starts_with("sha256:") && full.digest.len() == 71, "digest {}", full.digest);
    assert_eq!(full.revision, format!("1.2.3@{}", full.digest));

    let files_only = kiln_source::fetch(&r, &FetchOptions { skip_local_dir_digest: true, ..opts }).expect("fetch");
    assert_eq!(files_only.digest, "");
    assert_eq!(files_only.revision, "1.2.3");
    let paths = |f: &kiln_source::Fetched| f.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&files_only), paths(&full));
    assert_eq!(paths(&full), ["Chart.yaml", "templates/cm.yaml"]);
}
