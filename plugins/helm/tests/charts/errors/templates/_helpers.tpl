{{- define "errors.deep" -}}
{{ .Values.missing.field }}
{{- end -}}
{{- define "errors.outer" -}}
{{ include "errors.deep" . }}
{{- end -}}
