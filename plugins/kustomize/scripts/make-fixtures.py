#!/usr/bin/env python3
"""Write the table-driven fixtures under tests/fixtures/ and their expected output from the reference tool.

Each case is a small overlay (files written under tests/fixtures/<case>/tree/) built with
`kubectl kustomize tree/<dir>` (kubectl v1.35.2 = kustomize v5.7.1). Its stdout is saved as expected.yaml; when
the reference fails, its stderr is saved as expected.err (the test then only requires an error).

Usage: scripts/make-fixtures.py [KUBECTL]   (default /work/ref/bin/kubectl)
"""
import json, pathlib, shutil, subprocess, sys

KUBECTL = sys.argv[1] if len(sys.argv) > 1 else "/work/ref/bin/kubectl"
OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: web-config
        - secretRef:
            name: web-secret
        volumeMounts:
        - name: data
          mountPath: /data
      initContainers:
      - name: init
        image: busybox
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: web-data
      - name: cfg
        configMap:
          name: web-config
"""
SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
"""
SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n"
PVC = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: web-data\nspec:\n  resources:\n    requests:\n      storage: 1Gi\n"
RBAC = """apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
rules:
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [web-config]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: reader
subjects:
- kind: ServiceAccount
  name: web
- kind: ServiceAccount
  name: default
"""
INGRESS = """apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  tls:
  - secretName: web-secret
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
"""
BASE = {
    "base/kustomization.yaml": "resources:\n- deployment.yaml\n- service.yaml\n- sa.yaml\n- pvc.yaml\n"
    "configMapGenerator:\n- name: web-config\n  literals:\n  - LOG=info\nsecretGenerator:\n- name: web-secret\n  literals:\n  - password=s3cret\n",
    "base/deployment.yaml": DEPLOY,
    "base/service.yaml": SERVICE,
    "base/sa.yaml": SA,
    "base/pvc.yaml": PVC,
}

# A custom OpenAPI schema (kustomize's `openapi: path:`) for a CRD kind: `parts` merge by name, `tags` merge as a set.
WIDGET_SCHEMA = """{
  "definitions": {
    "com.example.v1.Widget": {
      "type": "object",
      "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
        "spec": {"$ref": "#/definitions/com.example.v1.WidgetSpec"}
      },
      "x-kubernetes-group-version-kind": [{"group": "example.com", "kind": "Widget", "version": "v1"}]
    },
    "com.example.v1.WidgetSpec": {
      "type": "object",
      "properties": {
        "parts": {"type": "array", "items": {"$ref": "#/definitions/com.example.v1.Part"},
                  "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"},
        "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-patch-strategy": "merge"},
        "slots": {"type": "array", "items": {"$ref": "#/definitions/com.example.v1.Part"},
                  "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}
      }
    },
    "com.example.v1.Part": {"type": "object", "properties": {"name": {"type": "string"}, "size": {"type": "integer"}}}
  }
}
"""
WIDGET_SCHEMA_YAML = """swagger: "2.0"
definitions:
  com.example.v1.Gadget:
    type: object
    properties:
      spec:
        type: object
        properties:
          parts:
            type: array
            x-kubernetes-patch-merge-key: name
            x-kubernetes-patch-strategy: merge
            items:
              type: object
              properties:
                name: {type: string}
    x-kubernetes-group-version-kind:
    - {group: example.com, kind: Gadget, version: v1}
paths:
  /apis/example.com/v1/gadgets:
    get:
      x-kubernetes-group-version-kind: {group: example.com, kind: Gadget, version: v1}
  /apis/example.com/v1/namespaces/{namespace}/widgets:
    get:
      x-kubernetes-group-version-kind: {group: example.com, kind: Widget, version: v1}
"""
WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  parts:\n  - name: a\n    size: 1\n  - name: b\n    size: 2\n  tags: [x, y]\n  slots:\n  - name: s1\n    size: 1\n"
GADGET = "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\nspec:\n  parts:\n  - name: a\n  - name: b\n"
WIDGET_PATCH = "- patch: |-\n    apiVersion: example.com/v1\n    kind: Widget\n    metadata:\n      name: w\n    spec:\n      parts:\n      - name: b\n        size: 20\n      - name: c\n        size: 3\n      tags: [z]\n      slots:\n      - name: s2\n"
DEPLOY_PATCH = "- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      template:\n        spec:\n          containers:\n          - name: sidecar\n            image: envoy\n"
GADGET_PATCH = "- patch: |-\n    apiVersion: example.com/v1\n    kind: Gadget\n    metadata:\n      name: g\n    spec:\n      parts:\n      - name: c\n"


def overlay(k, **files):
    d = dict(BASE)
    d["overlay/kustomization.yaml"] = k
    for name, text in files.items():
        d["overlay/" + name.replace("__", ".").replace("_SL_", "/")] = text
    return {"dir": "overlay", "files": d}

CASES = {
    "plain-base": {"dir": "base", "files": BASE},
    "namespace-prefix-suffix": overlay("resources: [../base]\nnamespace: prod\nnamePrefix: p-\nnameSuffix: -s\n"),
    "name-references-rbac-ingress": overlay(
        "resources:\n- ../base\n- rbac.yaml\n- ingress.yaml\nnamePrefix: x-\nnamespace: team\n",
        rbac__yaml=RBAC, ingress__yaml=INGRESS),
    "common-labels-annotations": overlay(
        "resources: [../base]\ncommonLabels:\n  env: dev\ncommonAnnotations:\n  owner: team-a\n  note: 'true'\n"),
    "labels-without-selectors": overlay(
        "resources: [../base]\nlabels:\n- pairs: {team: a}\n- pairs: {tier: web}\n  includeTemplates: true\n- pairs: {sel: 'on'}\n  includeSelectors: true\n"),
    "label-value-bool-error": overlay("resources: [../base]\nlabels:\n- pairs: {sel: yes}\n"),
    "images": overlay(
        "resources: [../base]\nimages:\n- name: nginx\n  newName: registry.example.com/nginx\n  newTag: '1.26'\n- name: busybox\n  digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"),
    "images-tag-suffix": overlay("resources: [../base]\nimages:\n- name: nginx\n  tagSuffix: -alpine\n"),
    "replicas": overlay("resources: [../base]\nreplicas:\n- name: web\n  count: 5\n"),
    "generators-behaviors": overlay(
        "resources: [../base]\nconfigMapGenerator:\n- name: web-config\n  behavior: merge\n  literals: [EXTRA=1]\n- name: files\n  files: [app.properties, conf/a.txt, custom=conf/a.txt]\n  envs: [vars.env]\n"
        "secretGenerator:\n- name: web-secret\n  behavior: replace\n  literals: [token=abc]\n  type: kubernetes.io/opaque\n"
        "generatorOptions:\n  labels: {gen: 'yes'}\n  annotations: {a: b}\n",
        app__properties="a=b\nc=d\n", conf_SL_a__txt="hello <world> & more\n", vars__env="# comment\nA=1\nB= two words\n"),
    "generator-options-no-hash-immutable": overlay(
        "resources: [../base]\ngeneratorOptions:\n  disableNameSuffixHash: true\n  immutable: true\nconfigMapGenerator:\n- name: extra\n  literals: [k=v]\n"),
    "patches-smp-and-json": overlay(
        "resources: [../base]\npatches:\n- path: replicas.yaml\n- target:\n    kind: Deployment\n  patch: |-\n    - op: add\n      path: /spec/template/spec/containers/0/args\n      value: [--debug]\n"
        "- target:\n    kind: Service\n    name: web\n  patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n      name: ignored\n    spec:\n      type: NodePort\n",
        replicas__yaml="apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: web\n        resources:\n          limits:\n            cpu: 500m\n"),
    "patches-delete-and-rename": overlay(
        "resources: [../base]\npatches:\n- patch: |-\n    $patch: delete\n    apiVersion: v1\n    kind: PersistentVolumeClaim\n    metadata:\n      name: web-data\n"
        "- target:\n    kind: ServiceAccount\n  options:\n    allowNameChange: true\n  patch: |-\n    apiVersion: v1\n    kind: ServiceAccount\n    metadata:\n      name: renamed\n"),
    "legacy-patch-fields": overlay(
        "resources: [../base]\npatchesStrategicMerge:\n- smp.yaml\npatchesJson6902:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: web\n  path: json.yaml\n",
        smp__yaml="apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n    name: http\n",
        json__yaml="- op: replace\n  path: /spec/replicas\n  value: 2\n"),
    "patch-no-match-error": overlay(
        "resources: [../base]\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: missing\n    spec:\n      replicas: 2\n"),
    "replacements": overlay(
        "resources: [../base]\nreplacements:\n- source:\n    kind: Service\n    name: web\n    fieldPath: spec.ports.0.targetPort\n  targets:\n  - select:\n      kind: Deployment\n    fieldPaths:\n    - spec.template.spec.containers.[name=web].ports.0.containerPort\n    options:\n      create: true\n"
        "- source:\n    kind: ConfigMap\n    name: web-config\n  targets:\n  - select:\n      kind: Deployment\n    fieldPaths:\n    - spec.template.metadata.annotations.config\n    options:\n      create: true\n"
        "- source:\n    kind: Deployment\n    fieldPath: spec.template.spec.containers.0.image\n    options:\n      delimiter: ':'\n      index: 1\n  targets:\n  - select:\n      kind: Deployment\n    fieldPaths: [metadata.labels.version]\n    options:\n      create: true\n"),
    "components": {"dir": "overlay", "files": {**BASE,
        "overlay/kustomization.yaml": "resources: [../base]\ncomponents: [../comp]\nnamePrefix: o-\n",
        "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [extra.yaml]\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: add\n      path: /metadata/annotations\n      value: {component: 'on'}\nconfigMapGenerator:\n- name: web-config\n  behavior: merge\n  literals: [FROM_COMPONENT=1]\n",
        "comp/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  k: v\n"}},
    "sort-fifo": overlay("resources: [../base]\nsortOptions:\n  order: fifo\n"),
    "sort-legacy-custom": overlay("resources: [../base]\nsortOptions:\n  order: legacy\n  legacySortOptions:\n    orderFirst: [Service]\n    orderLast: [ConfigMap]\n"),
    "builtin-transformers-field": overlay(
        "resources: [../base]\ntransformers:\n- labels.yaml\n- |-\n  apiVersion: builtin\n  kind: PrefixTransformer\n  metadata:\n    name: pre\n  prefix: t-\n  fieldSpecs:\n  - path: metadata/name\n",
        labels__yaml="apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: l\nlabels:\n  extra: label\nfieldSpecs:\n- path: metadata/labels\n  create: true\n"),
    "configurations-custom-kind": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [cm.yaml, widget.yaml]\nconfigurations: [conf.yaml]\nnamePrefix: c-\ncommonLabels: {a: b}\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
        "widget.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  configRef: settings\n  selector: {}\n",
        "conf.yaml": "nameReference:\n- kind: ConfigMap\n  version: v1\n  fieldSpecs:\n  - path: spec/configRef\n    kind: Widget\ncommonLabels:\n- path: spec/selector\n  kind: Widget\n  create: true\n"}},
    "list-kind-and-multidoc": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [list.yaml]\nnamespace: ns1\n",
        "list.yaml": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: other\n---\n# only a comment\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  x: y\n"}},
    "id-conflict-error": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [a.yaml, b.yaml]\n",
        "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\n",
        "b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\n"}},
    "missing-resource-error": {"dir": ".", "files": {"kustomization.yaml": "resources: [nope.yaml]\n"}},
    "unknown-field-error": {"dir": ".", "files": {"kustomization.yaml": "resource: [a.yaml]\n", "a.yaml": SA}},
    "load-restriction-error": {"dir": "overlay", "files": {
        "overlay/kustomization.yaml": "resources: [../outside.yaml]\n", "outside.yaml": SA}},
    "vars-legacy": overlay(
        "resources: [../base]\nvars:\n- name: SVC\n  objref:\n    kind: Service\n    name: web\n    apiVersion: v1\n"
        "patches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: add\n      path: /spec/template/spec/containers/0/args\n      value: [--svc=$(SVC)]\n"),
    "namespace-rolebinding-subjects": overlay(
        "resources: [../base, rbac.yaml]\nnamespace: apps\n", rbac__yaml=RBAC),
    "hash-references-in-cronjob-and-statefulset": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [sts.yaml, cron.yaml]\nconfigMapGenerator:\n- name: script\n  files: [run.sh]\nsecretGenerator:\n- name: creds\n  envs: [creds.env]\nnameSuffix: -v1\n",
        "run.sh": "#!/bin/sh\necho hi\n",
        "creds.env": "USER=admin\nPASS=x\n",
        "sts.yaml": "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  template:\n    spec:\n      containers:\n      - name: db\n        image: postgres\n        env:\n        - name: P\n          valueFrom:\n            secretKeyRef:\n              name: creds\n              key: PASS\n      volumes:\n      - name: s\n        configMap:\n          name: script\n",
        "cron.yaml": "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: job\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: j\n            image: busybox\n            envFrom:\n            - secretRef:\n                name: creds\n          volumes:\n          - name: s\n            projected:\n              sources:\n              - configMap:\n                  name: script\n"}},
    "cluster-scoped-and-jobs": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [res.yaml]\nnamespace: ns\nnamePrefix: p-\ncommonLabels: {app: x}\ncommonAnnotations: {note: '1'}\n",
        "res.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: crb\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cr\nsubjects:\n- kind: ServiceAccount\n  name: sa\n  namespace: other\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      serviceAccountName: sa\n      containers:\n      - name: c\n        image: busybox\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: cj\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: c\n            image: busybox\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: h\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: d\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: x\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector:\n    matchLabels:\n      role: db\n"}},
    "patch-target-selectors": overlay(
        "resources: [../base]\npatches:\n- target:\n    labelSelector: app=web\n    kind: Deployment|Service\n  patch: |-\n    - op: add\n      path: /metadata/labels/patched\n      value: 'yes'\n- target:\n    name: web.*\n    kind: ConfigMap\n  patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: any\n      labels:\n        cm: patched\n"),
    "replacement-reject-and-wildcard": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [res.yaml]\nreplacements:\n- source:\n    kind: ConfigMap\n    name: src\n    fieldPath: data.image\n  targets:\n  - select:\n      kind: Deployment\n    reject:\n    - name: skip\n    fieldPaths:\n    - spec.template.spec.containers.*.image\n",
        "res.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  image: app:2\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        image: app:1\n      - name: y\n        image: side:1\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: skip\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        image: app:1\n"}},
    "secret-types-and-binary": {"dir": ".", "files": {
        "kustomization.yaml": "secretGenerator:\n- name: tls\n  type: kubernetes.io/tls\n  files: [tls.crt, tls.key]\n- name: long\n  literals:\n  - big=0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\nconfigMapGenerator:\n- name: multi\n  literals:\n  - script=line1\n  - quoted='hello world'\n  files: [data.bin]\n",
        "tls.crt": "CERT\n", "tls.key": "KEY\n", "data.bin": "\u00ff\u00fe binary"}},
    "nested-bases-namespace-override": {"dir": "top", "files": {**BASE,
        "mid/kustomization.yaml": "resources: [../base]\nnamespace: mid\nnamePrefix: m-\n",
        "top/kustomization.yaml": "resources: [../mid]\nnamespace: top\nnamePrefix: t-\nconfigMapGenerator:\n- name: web-config\n  behavior: merge\n  literals: [TOP=1]\n"}},
    "openapi-custom-schema": overlay(
        "resources: [../base, widget.yaml]\nopenapi:\n  path: schema.json\npatches:\n" + WIDGET_PATCH + DEPLOY_PATCH,
        schema__json=WIDGET_SCHEMA, widget__yaml=WIDGET),
    "openapi-builtin-version": overlay(
        "resources: [../base, widget.yaml]\nopenapi:\n  version: v1.21.2\npatches:\n" + WIDGET_PATCH + DEPLOY_PATCH,
        widget__yaml=WIDGET),
    "openapi-yaml-schema-scopes": overlay(
        "resources: [../base, gadget.yaml, widget.yaml]\nnamespace: prod\nopenapi:\n  path: schema.yaml\npatches:\n"
        + GADGET_PATCH + WIDGET_PATCH,
        schema__yaml=WIDGET_SCHEMA_YAML, gadget__yaml=GADGET, widget__yaml=WIDGET),
    "openapi-schema-in-base": {"dir": "overlay", "files": {**BASE,
        "wbase/kustomization.yaml": "resources: [widget.yaml]\nopenapi:\n  path: schema.json\n",
        "wbase/schema.json": WIDGET_SCHEMA, "wbase/widget.yaml": WIDGET,
        "overlay/kustomization.yaml": "resources: [../base, ../wbase]\npatches:\n" + WIDGET_PATCH + DEPLOY_PATCH}},
    "openapi-component-after-patch": {"dir": "overlay", "files": {**BASE,
        "mid/kustomization.yaml": "resources: [../base]\npatches:\n" + DEPLOY_PATCH,
        "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [widget.yaml]\n"
        "openapi:\n  path: schema.json\npatches:\n" + WIDGET_PATCH,
        "comp/schema.json": WIDGET_SCHEMA, "comp/widget.yaml": WIDGET,
        "overlay/kustomization.yaml": "resources: [../mid]\ncomponents: [../comp]\npatches:\n"
        + DEPLOY_PATCH.replace("sidecar", "logger")}},
    "openapi-crd-before-component": {"dir": "overlay", "files": {**BASE,
        "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
        "openapi:\n  path: schema.json\npatches:\n" + WIDGET_PATCH,
        "comp/schema.json": WIDGET_SCHEMA,
        "overlay/widget.yaml": WIDGET,
        "overlay/kustomization.yaml": "resources: [../base, widget.yaml]\ncomponents: [../comp]\npatches:\n" + DEPLOY_PATCH}},
    "openapi-version-and-path-error": overlay(
        "resources: [../base]\nopenapi:\n  version: v1.21.2\n  path: schema.json\n", schema__json=WIDGET_SCHEMA),
    "openapi-unknown-version-error": overlay("resources: [../base]\nopenapi:\n  version: v1.14.1\n"),
    "openapi-missing-file-error": overlay("resources: [../base]\nopenapi:\n  path: nope.json\n"),
    "created-keys-yaml11-words-ok": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [cm.yaml]\ncommonAnnotations:\n  \"on\": a\n  \"yes\": b\nlabels:\n- pairs:\n    \"y\": c\n"
        "configMapGenerator:\n- name: g\n  literals: [on=1, Yes=2, off=3]\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    \"true\": kept\ndata:\n  \"1\": one\n"}},
    "created-key-bool-error": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [cm.yaml]\ncommonLabels:\n  \"true\": x\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"}},
    "existing-quoted-key-is-kept": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [cm.yaml]\ncommonLabels:\n  \"true\": x\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    \"true\": old\n"}},
    "generated-key-number-error": {"dir": ".", "files": {
        "kustomization.yaml": "configMapGenerator:\n- name: g\n  literals: ['1=x']\n"}},
    "generated-option-label-timestamp-error": {"dir": ".", "files": {
        "kustomization.yaml": "generatorOptions:\n  labels:\n    \"2001-12-14\": x\nsecretGenerator:\n- name: g\n  literals: ['a=x']\n"}},
    "crds-openapi-definitions": {"dir": ".", "files": {
        "kustomization.yaml": "crds: [defs.json, defs.yaml]\nresources: [res.yaml]\nnamePrefix: x-\ncommonLabels: {team: a}\ncommonAnnotations: {note: hello}\n",
        "defs.json": json.dumps({
            "example.com/pkg/apis/v1.Widget": {"Schema": {"properties": {
                "apiVersion": {"type": "string"}, "kind": {"type": "string"},
                "metadata": {"$ref": "k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta"},
                "spec": {"$ref": "example.com/pkg/apis/v1.WidgetSpec"}}}},
            "example.com/pkg/apis/v1.WidgetSpec": {"Schema": {"properties": {
                "secretRef": {"x-kubernetes-object-ref-api-version": "v1", "x-kubernetes-object-ref-kind": "Secret",
                              "$ref": "k8s.io/api/core/v1.LocalObjectReference"},
                "mapRef": {"x-kubernetes-object-ref-api-version": "v1", "x-kubernetes-object-ref-kind": "ConfigMap",
                           "x-kubernetes-object-ref-name-key": "cmName"},
                "selector": {"x-kubernetes-label-selector": ""},
                "notes": {"x-kubernetes-annotation": ""}}}}}, indent=1),
        "defs.yaml": "example.com/pkg/apis/v1.Gizmo:\n  schema:\n    properties:\n      apiVersion: {type: string}\n      kind: {type: string}\n      metadata: {}\n      spec:\n        $ref: example.com/pkg/apis/v1.GizmoSpec\nexample.com/pkg/apis/v1.GizmoSpec:\n  Schema:\n    properties:\n      widget:\n        x-kubernetes-object-ref-api-version: v1\n        x-kubernetes-object-ref-kind: Widget\n",
        "res.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  secretRef:\n    name: s\n  mapRef:\n    cmName: c\n  selector: {}\n  notes: {}\n---\napiVersion: example.com/v1\nkind: Gizmo\nmetadata:\n  name: g\nspec:\n  widget:\n    name: w\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"}},
    "smp-keyless-element-kept": {"dir": "overlay", "files": {
        "base/kustomization.yaml": "resources: [d.yaml]\n",
        "base/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - image: whatever\n",
        "overlay/kustomization.yaml": "resources: [../base]\nnamePrefix: b-\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: d\n    spec:\n      replicas: 3\n"}},
    "go-field-names-ignore-case": {"dir": "overlay", "files": {
        "base/kustomization.yaml": "Resources: [svc.yaml]\nnameprefix: base-\nvars:\n- name: SVC\n  objRef:\n    kind: Service\n    name: svc\n    APIVersion: v1\n  fieldRef:\n    fieldpath: metadata.name\n",
        "base/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n",
        "overlay/kustomization.yaml": "resources: [../base, pod.yaml]\nNameSuffix: -o\nconfigMapGenerator:\n- Name: cfg\n  LITERALS: [a=1]\n  Options:\n    disableNameSuffixHash: true\nlabels:\n- Pairs: {Team: a}\n  IncludeSelectors: false\n",
        "overlay/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n    args: [$(SVC)]\n"}},
    "vars-same-name-in-sibling-bases": {"dir": ".", "files": {
        "kustomization.yaml": "namePrefix: top-\nresources: [dev, test, pod.yaml]\n",
        "dev/kustomization.yaml": "namePrefix: dev-\nresources: [svc.yaml]\nvars:\n- name: DEV_SVC\n  objref: {kind: Service, name: es, apiVersion: v1}\n",
        "dev/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: es\n",
        "test/kustomization.yaml": "namePrefix: test-\nresources: [svc.yaml]\nvars:\n- name: TEST_SVC\n  objref: {kind: Service, name: es, apiVersion: v1}\n",
        "test/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: es\n",
        "pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n    args: [$(DEV_SVC), $(TEST_SVC)]\n"}},
    "iam-policy-and-prefix-suffix-transformers": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [sa.yaml]\ngenerators: [iam.yaml]\ntransformers: [affix.yaml]\n",
        "sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: other\n",
        "iam.yaml": "apiVersion: builtin\nkind: IAMPolicyGenerator\nmetadata:\n  name: gke\ncloud: gke\nkubernetesService:\n  namespace: apps\n  name: app-ksa\nserviceAccount:\n  name: app-gsa\n  projectId: my-project\n",
        "affix.yaml": "apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata:\n  name: affix\nprefix: p-\nsuffix: -s\nfieldSpecs:\n- path: metadata/name\n  kind: ServiceAccount\n  name: ignored-by-kustomize\n"}},
    "sort-order-transformer-plugin-error": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [cm.yaml]\ntransformers: [sort.yaml]\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        "sort.yaml": "apiVersion: builtin\nkind: SortOrderTransformer\nmetadata:\n  name: s\nsortOptions:\n  order: fifo\n"}},
    # kustomize drops the container named app here (it cannot place an element without a merge key); kiln refuses.
    "smp-keyless-element-lost-error": {"dir": ".", "refuse": "kustomize's merge of this list would drop", "files": {
        "kustomization.yaml": "resources: [d.yaml]\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: d\n    spec:\n      replicas: 3\n",
        "d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx\n      - image: sidecar\n"}},
    "build-metadata-all": {"dir": "overlay", "files": {
        "base/kustomization.yaml": "namePrefix: b-\nresources: [svc.yaml]\nconfigMapGenerator:\n- name: cfg\n  literals: [a=1]\nbuildMetadata: [managedByLabel]\n",
        "base/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  annotations:\n    config.kubernetes.io/origin: |\n      path: stale.yaml\n",
        "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [extra.yaml]\ncommonAnnotations: {from: comp}\n",
        "comp/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n",
        "overlay/kustomization.yaml": "resources: [../base, dep.yaml]\ncomponents: [../comp]\nbuildMetadata: [originAnnotations, transformerAnnotations, managedByLabel]\nnamespace: prod\nlabels:\n- pairs: {team: a}\nimages:\n- name: nginx\n  newTag: '1.27'\nconfigMapGenerator:\n- name: cfg\n  behavior: merge\n  literals: [b=2]\nsecretGenerator:\n- name: sec\n  literals: [k=v]\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: add\n      path: /spec/replicas\n      value: 2\ntransformers:\n- |-\n  apiVersion: builtin\n  kind: AnnotationsTransformer\n  metadata:\n    name: inline-anno\n  annotations: {x: y}\n  fieldSpecs:\n  - path: metadata/annotations\n    create: true\n- suffix.yaml\n",
        "overlay/suffix.yaml": "apiVersion: builtin\nkind: SuffixTransformer\nmetadata:\n  name: sfx\nsuffix: -s\nfieldSpecs:\n- path: metadata/name\n",
        "overlay/dep.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx\n"}},
    "build-metadata-transformers-only": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [svc.yaml]\nbuildMetadata: [transformerAnnotations]\nnamePrefix: p-\ncommonLabels: {app: x}\n",
        "svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  annotations: {}\n"}},
    "empty-annotations-dropped": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [svc.yaml]\n",
        "svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  annotations: {}\n  labels: {}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    config.kubernetes.io/origin: 'path: x.yaml'\n    alpha.config.kubernetes.io/transformations: '[]'\n    keep: me\n"}},
    "value-add-transformer": {"dir": "projects/cat-42", "files": {
        "projects/cat-42/kustomization.yaml": "resources: [../../base]\ntransformers: [../../setproject]\n",
        "setproject/kustomization.yaml": "resources: [vat.yaml]\n",
        "setproject/vat.yaml": "apiVersion: builtin\nkind: ValueAddTransformer\nmetadata:\n  name: dir\ntargets:\n- fieldPath: metadata/namespace\n- selector: {kind: Bucket}\n  fieldPath: spec/ref/external\n  filePathPosition: 2\n- selector: {name: web}\n  fieldPath: metadata/annotations/project\n",
        "base/kustomization.yaml": "resources: [res.yaml]\n",
        "base/res.yaml": "apiVersion: example.com/v1\nkind: Bucket\nmetadata:\n  name: b\nspec:\n  ref:\n    external: projects/buckets/b1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: r\nsubjects:\n- kind: ServiceAccount\n  name: default\n"}},
    "null-list-field-becomes-empty-list": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [res.yaml]\nimages:\n- name: nginx\n  newTag: v2\ncommonLabels: {app: x}\n",
        "res.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  containers:\n  template:\n    spec:\n      initContainers: ~\n      containers:\n      - name: c\n        image: nginx\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: s\nspec:\n  volumeClaimTemplates: null\n"}},
    "input-build-annotations": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [res.yaml]\nreplacements:\n- source:\n    kind: CronJob\n    name: deploy\n    fieldPath: spec.template.spec.containers.0.image\n  targets:\n  - select:\n      kind: Deployment\n      name: deploy\n    fieldPaths:\n    - spec.template.spec.containers.1.image\n",
        "res.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: pre-deploy\n  annotations:\n    internal.config.kubernetes.io/previousNames: deploy,deploy\n    internal.config.kubernetes.io/previousKinds: CronJob,Deployment\n    internal.config.kubernetes.io/previousNamespaces: default,default\n    internal.config.kubernetes.io/other: kept\nspec:\n  template:\n    spec:\n      containers:\n      - image: nginx:1.7.9\n        name: a\n      - image: postgres:1.8.0\n        name: b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hashed\n  annotations:\n    internal.config.kubernetes.io/needsHashSuffix: enabled\ndata:\n  k: v\n"}},
    "plugin-config-go-decoding": {"dir": ".", "files": {
        "kustomization.yaml": "resources: [res.yaml]\ntransformers: [patch.yaml, image.yaml]\npatches:\n- path: empty-patch.yaml\n  target: {kind: ConfigMap}\n",
        "res.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.7.9\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
        "patch.yaml": "apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: p\nPath: p1.yaml\nunknownField: ignored\nTarget:\n  Kind: Deployment\n",
        "p1.yaml": "- op: add\n  path: /spec/replicas\n  value: 3\n",
        "image.yaml": "apiVersion: builtin\nkind: ImageTagTransformer\nmetadata:\n  name: i\nimageTag:\n  name: nginx\n  Digest: sha256:2222\n  extra: ignored\n",
        "empty-patch.yaml": "# nothing here\n\n"}},
}

def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    for name, case in sorted(CASES.items()):
        d = OUT / name
        for rel, text in case["files"].items():
            p = d / "tree" / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        (d / "case.json").write_text(json.dumps({"dir": case["dir"]}) + "\n")
        if "refuse" in case:
            (d / "refuse.txt").write_text(case["refuse"] + "\n")
        r = subprocess.run([KUBECTL, "kustomize", str(d / "tree" / case["dir"])], capture_output=True, text=True)
        if r.returncode == 0:
            (d / "expected.yaml").write_text(r.stdout)
        else:
            (d / "expected.err").write_text(r.stderr.replace(str(d), "<case>"))
        print(f"{name}: exit {r.returncode}")

main()
