{{- define "errors.req" -}}
{{ required "value .Values.needed is required" .Values.needed }}
{{- end -}}
