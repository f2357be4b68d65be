//! Parse-once, execute-many benchmark on a Helm-like chart: a `_helpers.tpl` with the usual name/label defines and
//! a Deployment that includes them several levels deep, ranges over values and formats numbers.
//!
//! The few Sprig-like helpers it needs (`include`, `nindent`, `quote`, `trunc`, `trimSuffix`, `default`) are
//! minimal local versions, so that the benchmark measures the engine.

use criterion::{Criterion, criterion_group, criterion_main};
use gotmpl::{FuncError, Funcs, MissingKey, Options, Param, Signature, TemplateSet, Value};
use std::hint::black_box;

const HELPERS: &str = r#"{{/* Expand the name of the chart. */}}
{{- define "app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "app.labels" -}}
helm.sh/chart: {{ include "app.chart" . }}
{{ include "app.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
"#;

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "app.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      {{- with .Values.podAnnotations }}
      annotations:
        {{- range $k, $v := . }}
        {{ $k }}: {{ $v | quote }}
        {{- end }}
      {{- end }}
      labels:
        {{- include "app.labels" . | nindent 8 }}
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            {{- range .Values.ports }}
            - name: {{ .name }}
              containerPort: {{ .port }}
              protocol: {{ .protocol | default "TCP" }}
            {{- end }}
          env:
            {{- range $i, $e := .Values.env }}
            - name: {{ $e.name | quote }}
              value: {{ $e.value | quote }}
            {{- end }}
          resources:
            limits:
              cpu: {{ .Values.resources.limits.cpu }}
              memory: {{ .Values.resources.limits.memory }}
"#;

fn funcs() -> Funcs {
    let mut f = Funcs::builtins();
    f.register("include", Signature::new(&[Param::String, Param::Any]), |cx, a| {
        cx.execute_template(a.str(0)?, a.value(1)?).map(Value::from).map_err(FuncError::from)
    });
    f.register("nindent", Signature::new(&[Param::Int, Param::String]), |_, a| {
        let pad = " ".repeat(usize::try_from(a.int(0)?).unwrap_or(0));
        Ok(Value::from(format!("\n{pad}{}", a.str(1)?.replace('\n', &format!("\n{pad}")))))
    });
    f.register("quote", Signature::variadic(&[], Param::Any), |_, a| {
        let parts: Vec<String> = a
            .as_slice()
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| gotmpl::strconv::quote(&gotmpl::gofmt::format_v(v)))
            .collect();
        Ok(Value::from(parts.join(" ")))
    });
    f.register("trunc", Signature::new(&[Param::Int, Param::String]), |_, a| {
        let s = a.str(1)?;
        let n = usize::try_from(a.int(0)?).unwrap_or(0);
        Ok(Value::from(s.get(..n.min(s.len())).unwrap_or(s)))
    });
    f.register("trimSuffix", Signature::new(&[Param::String, Param::String]), |_, a| {
        let s = a.str(1)?;
        Ok(Value::from(s.strip_suffix(a.str(0)?).unwrap_or(s)))
    });
    f.register("replace", Signature::new(&[Param::String, Param::String, Param::String]), |_, a| {
        Ok(Value::from(a.str(2)?.replace(a.str(0)?, a.str(1)?)))
    });
    f.register("contains", Signature::new(&[Param::String, Param::String]), |_, a| {
        Ok(Value::Bool(a.str(1)?.contains(a.str(0)?)))
    });
    f.register("default", Signature::variadic(&[Param::Any], Param::Any), |_, a| {
        let given = a.rest(1).first().cloned().unwrap_or(Value::Nil);
        Ok(if given.truthy() { given } else { a.value(0)?.clone() })
    });
    f
}

fn values() -> Value {
    let ports = Value::list(
        (0..3)
            .map(|i| {
                Value::map([("name", Value::from(format!("port{i}"))), ("port", Value::Float64(8080.0 + f64::from(i)))])
            })
            .collect(),
    );
    let env = Value::list(
        (0..10)
            .map(|i| Value::map([("name", Value::from(format!("VAR_{i}"))), ("value", Value::from(format!("v{i}")))]))
            .collect(),
    );
    Value::map([
        (
            "Values",
            Value::map([
                ("replicaCount", Value::Float64(3.0)),
                ("autoscaling", Value::map([("enabled", Value::Bool(false))])),
                (
                    "image",
                    Value::map([("repository", Value::from("nginx")), ("pullPolicy", Value::from("IfNotPresent"))]),
                ),
                ("podAnnotations", Value::map([("a", Value::from("1")), ("b", Value::from("2"))])),
                ("ports", ports),
                ("env", env),
                (
                    "resources",
                    Value::map([(
                        "limits",
                        Value::map([("cpu", Value::from("100m")), ("memory", Value::from("128Mi"))]),
                    )]),
                ),
            ]),
        ),
        (
            "Chart",
            Value::map([
                ("Name", Value::from("app")),
                ("Version", Value::from("1.2.3")),
                ("AppVersion", Value::from("1.16.0")),
            ]),
        ),
        ("Release", Value::map([("Name", Value::from("release-name")), ("Service", Value::from("Helm"))])),
    ])
}

fn set() -> TemplateSet {
    let mut s = TemplateSet::new("gotpl", funcs())
        .with_options(Options { missing_key: MissingKey::Zero, ..Options::default() });
    s.parse("app/templates/_helpers.tpl", HELPERS).expect("helpers parse");
    s.parse("app/templates/deployment.yaml", DEPLOYMENT).expect("deployment parses");
    s
}

fn bench(c: &mut Criterion) {
    let s = set();
    let data = values();
    let out = s.execute("app/templates/deployment.yaml", &data).expect("renders");
    assert!(out.contains("app.kubernetes.io/version: \"1.16.0\""), "{out}");

    c.bench_function("parse helpers + deployment", |b| b.iter(|| black_box(set())));
    c.bench_function("execute deployment", |b| {
        b.iter(|| black_box(s.execute("app/templates/deployment.yaml", black_box(&data))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
