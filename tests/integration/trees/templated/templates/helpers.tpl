{{/* Shared by every spec of the tree (luet loads TREE/templates/). */}}
{{- define "greeting.line" -}}
echo "{{ .greeting }} from {{ .name }}"
{{- end -}}
{{- define "seed.requires" -}}
requires:
- name: base
  category: seed
{{- end -}}
