//! `kiln_yaml::gofmt` against Go 1.26: `tests/fixtures/gofmt/floats.txt` is the output of
//! `go run tests/fixtures/gofmt/main.go` (3 000 random and 50 chosen float64 values, printed with
//! `strconv.FormatFloat(f, 'g', -1, 64)`, `FormatFloat(f, 'g', -1, 32)` and `json.Marshal`).

use kiln_yaml::gofmt::{format_float_32g, format_float_g, format_float_json};

#[test]
fn float_formats_match_go() {
    let table = include_str!("fixtures/gofmt/floats.txt");
    let mut checked = 0;
    for line in table.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let [bits, g64, g32, json] = cols[..] else { panic!("bad line {line:?}") };
        let f = f64::from_bits(u64::from_str_radix(bits, 16).expect("hex bits"));
        assert_eq!(format_float_g(f), g64, "'g' 64 of {bits}");
        assert_eq!(format_float_32g(f), g32, "'g' 32 of {bits}");
        if json == "ERR" {
            assert!(!f.is_finite(), "{bits}");
        } else {
            assert_eq!(format_float_json(f), json, "json of {bits}");
        }
        checked += 1;
    }
    assert!(checked > 3000);
}
