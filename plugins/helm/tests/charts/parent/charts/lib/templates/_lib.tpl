{{- define "lib.label" -}}
lib.example.com/used: "true"
{{- end -}}
