//! The committed merge-metadata table is exactly what `tools/smp-schema-gen` generates from the OpenAPI corpus
//! (`../shared/corpus/openapi/k8s-1.27`) and `tools/smp-schema-gen/supplement/builtin-extra.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

#[test]
fn builtin_table_is_generated_from_the_corpus() {
    let Some(corpus) = common::corpus("openapi/k8s-1.27") else { return };
    let supplement = common::repo_root().join("tools/smp-schema-gen/supplement/builtin-extra.json");
    let docs = kpatch::schema::openapi::read_inputs(&[corpus, supplement]).expect("read inputs");
    let table = kpatch::schema::openapi::generate_from_json(&docs).expect("generate");
    let committed = include_str!("../src/schema/builtin.txt");
    assert!(
        table.to_text() == committed,
        "src/schema/builtin.txt is stale: regenerate it with `cargo run -p smp-schema-gen -- -o \
         plugins/kpatch/src/schema/builtin.txt ../shared/corpus/openapi/k8s-1.27 \
         tools/smp-schema-gen/supplement/builtin-extra.json`"
    );
    assert_eq!(kpatch::schema::SchemaTable::from_text(committed).expect("parse").to_text(), committed);
}
