{{/* The three services, in pipeline order. */}}
{{- define "logitlab.services" -}}trainer attack analysis{{- end -}}

{{- define "logitlab.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}

{{- define "logitlab.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "trainer") */}}
{{- define "logitlab.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The image of a service; the trainer's CUDA build when GPUs are on and cuda is asked for. */}}
{{- define "logitlab.image" -}}
{{- $tag := default .root.Chart.AppVersion .root.Values.image.tag -}}
{{- $suffix := ternary .root.Values.image.trainerCudaSuffix "" (and .cuda (eq .service "trainer")) -}}
{{- printf "%s/%s/%s-service%s:%s" .root.Values.image.registry .root.Values.image.repository .service $suffix $tag -}}
{{- end -}}

{{/* Restricted pod security (Kubernetes Pod Security Standards "restricted"). */}}
{{- define "logitlab.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 185
runAsGroup: 185
fsGroup: 185
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "logitlab.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Environment every logitlab process needs. */}}
{{- define "logitlab.env" -}}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
- name: LOGITLAB_STORE
  value: /store
- name: LOGITLAB_DATA
  value: /data
- name: DJL_CACHE_DIR
  value: /tmp/djl
- name: JAVA_TOOL_OPTIONS
  # Half the container's memory for the heap: libtorch's tensors and workspaces live outside it. A native crash's
  # report goes to /tmp (the root file system is read-only) and its first lines to the log.
  value: "-Djava.io.tmpdir=/tmp -XX:MaxRAMPercentage=50 -XX:ErrorFile=/tmp/hs_err_pid%p.log"
- name: LOGITLAB_TOPICS_CREATE
  value: {{ not .Values.kafka.strimzi.enabled | quote }}
- name: LOGITLAB_TOPICS_REPLICATION_FACTOR
  value: {{ .Values.kafka.topics.replicationFactor | quote }}
- name: LOGITLAB_TOPICS_MIN_INSYNC_REPLICAS
  value: {{ .Values.kafka.topics.minInsyncReplicas | quote }}
- name: KAFKA_STREAMS_REPLICATION_FACTOR
  value: {{ .Values.kafka.topics.replicationFactor | quote }}
- name: LOGITLAB_SCHEMAS_URL
  value: {{ printf "http://%s-analysis:%v/schemas/" (include "logitlab.fullname" .) .Values.analysis.port | quote }}
{{- end -}}

{{/* Writable places under a read-only root: /tmp (DJL_CACHE_DIR is in it; libtorch is pre-extracted in the image), plus the store. */}}
{{/* The volumes every pod mounts; the store read-only where the pod only reads it (attack, analysis). */}}
{{- define "logitlab.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: store
  mountPath: /store
  {{- if .storeReadOnly }}
  readOnly: true
  {{- end }}
- name: data
  mountPath: /data
  readOnly: true
{{- end -}}

{{- define "logitlab.volumes" -}}
- name: tmp
  emptyDir: {}
- name: store
  persistentVolumeClaim:
    claimName: {{ default (printf "%s-store" (include "logitlab.fullname" .)) .Values.store.existingClaim }}
- name: data
{{- if .Values.data.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.data.existingClaim }}
    readOnly: true
{{- else }}
  emptyDir: {}
{{- end }}
{{- end -}}

{{/* How a service's pods reach Kafka with SASL_SSL: its own user's JAAS line from its Secret, the cluster CA. */}}
{{- define "logitlab.kafkaEnv" -}}
{{- if .root.Values.kafka.sasl.enabled -}}
- name: KAFKA_SECURITY_PROTOCOL
  value: SASL_SSL
- name: KAFKA_SASL_MECHANISM
  value: SCRAM-SHA-512
- name: KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ index .root.Values.kafka.sasl.users .service }}
      key: sasl.jaas.config
- name: KAFKA_SSL_TRUSTSTORE_TYPE
  value: PEM
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: /etc/kafka-ca/{{ .root.Values.kafka.sasl.caKey }}
{{- end -}}
{{- end -}}

{{- define "logitlab.kafkaVolumeMounts" -}}
{{- if .Values.kafka.sasl.enabled -}}
- name: kafka-ca
  mountPath: /etc/kafka-ca
  readOnly: true
{{- end -}}
{{- end -}}

{{- define "logitlab.kafkaVolumes" -}}
{{- if .Values.kafka.sasl.enabled -}}
- name: kafka-ca
  secret:
    secretName: {{ .Values.kafka.sasl.caSecret }}
{{- end -}}
{{- end -}}

{{/* libtorch's intra-op threads: the whole CPUs a container requests (at least 1), so that it uses its share and no more. */}}
{{- define "logitlab.threads" -}}
{{- $cpu := toString (default "1" .requests.cpu) -}}
{{- $whole := ternary (div (trimSuffix "m" $cpu | int) 1000) ($cpu | float64 | floor | int) (hasSuffix "m" $cpu) -}}
{{- max 1 $whole -}}
{{- end -}}
