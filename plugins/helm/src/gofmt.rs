//! Go formatting of numbers and values for messages: `strconv.FormatFloat(f, 'g', -1, bits)` (`1e+06`,
//! `3.1415927`) and `fmt`'s `%v` of a values tree.

/// `strconv.FormatFloat(f, 'g', -1, 32)`.
pub fn format_float32_g(f: f64) -> String {
    kiln_yaml::gofmt::format_float_32g(f)
}

/// `strconv.FormatFloat(f, 'g', -1, 64)` (what `fmt` prints for `%v` of a `float64`).
pub fn format_float64_g(f: f64) -> String {
    kiln_yaml::gofmt::format_float_g(f)
}

/// `fmt.Sprintf("%v", v)` for a values tree (`map[a:1 b:[x true]]`, `<nil>`, `1e+06`).
pub fn sprint_value(v: &kiln_yaml::Value) -> String {
    use kiln_yaml::Value;
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Float(f) => format_float64_g(*f),
        Value::String(s) => s.clone(),
        Value::Seq(items) => format!("[{}]", items.iter().map(sprint_value).collect::<Vec<_>>().join(" ")),
        Value::Map(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{k}:{}", m.get(k.as_str()).map(sprint_value).unwrap_or_default()))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// Go's type name of a values-tree node (`float64`, `map[string]interface {}`, ...).
pub fn go_type_name(v: &kiln_yaml::Value) -> &'static str {
    use kiln_yaml::Value;
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int64",
        Value::Uint(_) => "uint64",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Seq(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_g_format() {
        assert_eq!(format_float64_g(1e6), "1e+06");
        assert_eq!(format_float64_g(1234567.0), "1.234567e+06");
        assert_eq!(format_float64_g(123456.0), "123456");
        assert_eq!(format_float64_g(12345678901234567890.0), "1.2345678901234567e+19");
        assert_eq!(format_float64_g(0.000001), "1e-06");
        assert_eq!(format_float64_g(0.0001), "0.0001");
        assert_eq!(format_float64_g(-2.5), "-2.5");
        assert_eq!(format_float64_g(0.0), "0");
        assert_eq!(format_float32_g(1.2), "1.2");
        assert_eq!(format_float32_g(1.23456789), "1.2345679");
        assert_eq!(format_float32_g(1.0), "1");
        assert_eq!(format_float32_g(2.5), "2.5");
    }
}
