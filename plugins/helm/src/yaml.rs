//! YAML loading as `sigs.k8s.io/yaml.Unmarshal` does it (go-yaml v2, YAML 1.1 typing), through `kiln-yaml`.

/// Parse the first document of `text`.
pub fn parse(text: &str) -> Result<kiln_yaml::Value, kiln_yaml::Error> {
    kiln_yaml::from_str(text)
}
