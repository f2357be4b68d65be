"""Strategic-merge fixture cases for kpatch (see gen.py). Each case: name, description, resources, config
(the kustomization fields `patches` / `images` exactly as a Flux postRenderers[].kustomize block holds them),
and optionally reference="apiserver" with `smp` (the body given to `kubectl patch --local`), `openapi` (a schema
kustomize is given, for custom resources), or `kiln` (a documented, deliberate difference)."""
import copy, json

CASES = []


def case(name, description, resources, patches=None, images=None, **kw):
    config = {}
    if patches is not None:
        config["patches"] = patches
    if images is not None:
        config["images"] = images
    c = {"name": name, "description": description, "resources": resources, "config": config}
    c.update(kw)
    CASES.append(c)


def deploy(name="web", containers=None, kind="Deployment", api="apps/v1", ns=None, labels=None, **spec):
    meta = {"name": name}
    if ns:
        meta["namespace"] = ns
    if labels:
        meta["labels"] = labels
    pod = {"containers": containers if containers is not None else [{"name": "app", "image": "nginx:1.25"}]}
    pod.update(spec.pop("pod", {}))
    s = {"replicas": 1, "selector": {"matchLabels": {"app": name}},
         "template": {"metadata": {"labels": {"app": name}}, "spec": pod}}
    s.update(spec)
    return {"apiVersion": api, "kind": kind, "metadata": meta, "spec": s}


def c(name, image="img:1", **kw):
    d = {"name": name, "image": image}
    d.update(kw)
    return d


def pod_patch(pod, name="web", kind="Deployment", api="apps/v1", extra=None, meta=None):
    body = {"apiVersion": api, "kind": kind, "metadata": dict({"name": name}, **(meta or {})),
            "spec": {"template": {"spec": pod}}}
    if extra:
        body["spec"].update(extra)
    return body


def sm(body, target=None, options=None):
    e = {"patch": json.dumps(body)}
    if target:
        e["target"] = target
    if options:
        e["options"] = options
    return e


def jp(ops, target):
    return {"patch": json.dumps(ops), "target": target}


# ---------------------------------------------------------------- containers
two = [c("a", "a:1", args=["--x"]), c("b", "b:1")]
three = [c("a", "a:1"), c("b", "b:1"), c("c", "c:1")]
case("containers-image", "change one container's image", [deploy(containers=two)],
     [sm(pod_patch({"containers": [{"name": "b", "image": "b:2"}]}))])
case("containers-add", "a new container goes before the existing ones", [deploy(containers=two)],
     [sm(pod_patch({"containers": [c("z", "z:1")]}))])
case("containers-merge-two-reorder", "patched containers come first, in patch order", [deploy(containers=three)],
     [sm(pod_patch({"containers": [{"name": "c", "image": "c:2"}, {"name": "a", "image": "a:2"}]}))])
case("containers-delete", "$patch: delete removes the container", [deploy(containers=three)],
     [sm(pod_patch({"containers": [{"name": "b", "$patch": "delete"}]}))])
case("containers-element-replace", "$patch: replace on one element (kustomize keeps the original element)",
     [deploy(containers=two)], [sm(pod_patch({"containers": [{"name": "a", "image": "a:9", "$patch": "replace"}]}))])
case("containers-list-replace", "{$patch: replace} element replaces the whole list", [deploy(containers=three)],
     [sm(pod_patch({"containers": [{"$patch": "replace"}, c("n", "n:1")]}))])
case("containers-list-delete", "{$patch: delete} element removes the list", [deploy(containers=three)],
     [sm(pod_patch({"containers": [{"$patch": "delete"}]}))])
case("containers-list-merge-directive", "{$patch: merge} element is accepted and merges",
     [deploy(containers=two)], [sm(pod_patch({"containers": [{"$patch": "merge"}, {"name": "b", "image": "b:3"}]}))])
case("containers-null-field", "null removes a container field",
     [deploy(containers=[c("a", resources={"limits": {"cpu": "1"}}, args=["x"])])],
     [sm(pod_patch({"containers": [{"name": "a", "resources": None}]}))])
case("containers-resources-merge", "resources maps merge",
     [deploy(containers=[c("a", resources={"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "100m"}})])],
     [sm(pod_patch({"containers": [{"name": "a", "resources": {"limits": {"memory": "2Gi"}}}]}))])
case("containers-resources-replace", "$patch: replace on a map inside a container",
     [deploy(containers=[c("a", resources={"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "100m"}})])],
     [sm(pod_patch({"containers": [{"name": "a", "resources": {"$patch": "replace", "limits": {"cpu": "2"}}}]}))])
case("containers-map-delete", "$patch: delete on a map inside a container",
     [deploy(containers=[c("a", securityContext={"runAsUser": 1000}, resources={"limits": {"cpu": "1"}})])],
     [sm(pod_patch({"containers": [{"name": "a", "securityContext": {"$patch": "delete"}}]}))])
case("init-containers", "initContainers merge by name", [deploy(pod={"initContainers": [c("init", "busybox")]})],
     [sm(pod_patch({"initContainers": [{"name": "init", "command": ["sh", "-c", "true"]}, c("init2", "busybox")]}))])
case("pod-containers", "a bare Pod's containers", [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                                    "spec": {"containers": two}}],
     [sm({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
          "spec": {"containers": [{"name": "a", "image": "a:5"}]}})])
case("statefulset-containers", "StatefulSet pod template", [deploy(kind="StatefulSet", containers=two, serviceName="web")],
     [sm(pod_patch({"containers": [{"name": "a", "env": [{"name": "X", "value": "1"}]}]}, kind="StatefulSet"))])
case("daemonset-containers", "DaemonSet pod template", [deploy(kind="DaemonSet", containers=two)],
     [sm(pod_patch({"containers": [{"name": "b", "imagePullPolicy": "Always"}]}, kind="DaemonSet"))])
case("containers-duplicate-names", "duplicate names in the object: the last one survives, unmerged",
     [deploy(containers=[c("a", "a:1"), c("b", "b:1"), c("a", "a:dup")])],
     [sm(pod_patch({"containers": [{"name": "a", "env": [{"name": "E", "value": "v"}]}]}))])
case("containers-missing-key", "a patch element without the merge key (kustomize empties the list)",
     [deploy(containers=two)], [sm(pod_patch({"containers": [{"image": "q:1"}]}))],
     kiln={"expect": "error", "why": "kpatch reports the missing merge key instead of corrupting the list"})
case("containers-empty-patch-list", "an empty patch list leaves the containers", [deploy(containers=two)],
     [sm(pod_patch({"containers": []}))])
case("ephemeral-containers", "ephemeralContainers merge by name",
     [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
       "spec": {"containers": [c("a")], "ephemeralContainers": [c("dbg", "busybox")]}}],
     [sm({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
          "spec": {"ephemeralContainers": [{"name": "dbg", "stdin": True}, c("dbg2", "busybox")]}})])
case("containers-new-subtree", "a new pod-spec list in a subtree the object lacks, with directives inside",
     [deploy(containers=two)],
     [sm(pod_patch({"initContainers": [c("i1", "busybox", env=[{"name": "A", "value": "1"}, {"name": "B", "$patch": "delete"}])]}))])

# ---------------------------------------------------------------- env
envc = [c("a", env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C", "value": "3"}])]
case("env-add", "a new env var goes first", [deploy(containers=envc)],
     [sm(pod_patch({"containers": [{"name": "a", "env": [{"name": "N", "value": "n"}]}]}))])
case("env-change", "change a value", [deploy(containers=envc)],
     [sm(pod_patch({"containers": [{"name": "a", "env": [{"name": "B", "value": "22"}]}]}))])
case("env-delete", "$patch: delete on an env var", [deploy(containers=envc)],
     [sm(pod_patch({"containers": [{"name": "a", "env": [{"name": "A", "$patch": "delete"}]}]}))])
case("env-value-to-valuefrom", "switch value to valueFrom (null removes value)", [deploy(containers=envc)],
     [sm(pod_patch({"containers": [{"name": "a", "env": [{"name": "C", "value": None, "valueFrom": {
         "secretKeyRef": {"name": "s", "key": "k"}}}]}]}))])
case("env-order", "patched and new vars first, then the rest in order", [deploy(containers=envc)],
     [sm(pod_patch({"containers": [{"name": "a", "env": [{"name": "C", "value": "x"}, {"name": "N", "value": "y"}]}]}))])
case("env-list-replace", "{$patch: replace} in env", [deploy(containers=envc)],
     [sm(pod_patch({"containers": [{"name": "a", "env": [{"$patch": "replace"}, {"name": "Z", "value": "z"}]}]}))])
case("env-new-container", "a new container carrying env", [deploy(containers=envc)],
     [sm(pod_patch({"containers": [c("side", "side:1", env=[{"name": "S", "value": "s"}])]}))])
case("env-from", "envFrom has no merge key: replaced",
     [deploy(containers=[c("a", envFrom=[{"configMapRef": {"name": "one"}}, {"secretRef": {"name": "two"}}])])],
     [sm(pod_patch({"containers": [{"name": "a", "envFrom": [{"configMapRef": {"name": "three"}}]}]}))])
case("env-null-list", "null removes the whole env list", [deploy(containers=envc)],
     [sm(pod_patch({"containers": [{"name": "a", "env": None}]}))])

# ---------------------------------------------------------------- ports
pc = [c("a", ports=[{"containerPort": 80, "name": "http"}, {"containerPort": 53, "protocol": "UDP", "name": "dns"},
                    {"containerPort": 53, "protocol": "TCP", "name": "dnstcp"}])]
for i, (ports, desc) in enumerate([
    ([{"containerPort": 80, "protocol": "TCP", "name": "web"}], "explicit TCP against a port without protocol"),
    ([{"containerPort": 80, "name": "web"}], "same port, no protocol: merged"),
    ([{"containerPort": 53, "name": "x"}], "ambiguous port 53 without protocol"),
    ([{"containerPort": 53, "protocol": "UDP", "hostPort": 5353}], "port+protocol merge"),
    ([{"containerPort": 9090, "name": "metrics"}], "new port goes first"),
    ([{"containerPort": 80, "protocol": "UDP"}], "same number, other protocol"),
    ([{"containerPort": 53, "$patch": "delete"}], "delete by port only"),
    ([{"containerPort": 53, "protocol": "TCP", "$patch": "delete"}], "delete by port and protocol"),
    ([{"containerPort": 8080, "protocol": "TCP", "name": "alt"}, {"containerPort": 80, "name": "h2"}], "two ports"),
]):
    case(f"ports-{i + 1}", "container ports keyed by containerPort+protocol: " + desc, [deploy(containers=pc)],
         [sm(pod_patch({"containers": [{"name": "a", "ports": ports}]}))])
case("ports-all-protocols", "every port has a protocol",
     [deploy(containers=[c("a", ports=[{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443, "protocol": "TCP"}])])],
     [sm(pod_patch({"containers": [{"name": "a", "ports": [{"containerPort": 443, "protocol": "TCP", "name": "https"}]}]}))])
svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
       "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080},
                                                      {"name": "https", "port": 443, "targetPort": 8443, "protocol": "TCP"}]}}
case("service-ports-merge", "Service ports keyed by port+protocol", [svc],
     [sm({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
          "spec": {"ports": [{"port": 443, "protocol": "TCP", "targetPort": 9443}]}})])
case("service-ports-add", "add a Service port", [svc],
     [sm({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
          "spec": {"ports": [{"name": "metrics", "port": 9090, "targetPort": 9090}]}})])
case("service-ports-no-protocol", "Service port without protocol merges", [svc],
     [sm({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
          "spec": {"ports": [{"port": 80, "nodePort": 30080}], "type": "NodePort"}})])

# ---------------------------------------------------------------- volumes & mounts
vol = deploy(containers=[c("a", volumeMounts=[{"name": "data", "mountPath": "/data"}, {"name": "cfg", "mountPath": "/etc/cfg"}])],
             pod={"volumes": [{"name": "data", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "cfg"}}]})
case("volumes-add", "add a volume", [vol], [sm(pod_patch({"volumes": [{"name": "extra", "secret": {"secretName": "s"}}]}))])
case("volumes-source-merge", "changing a volume's source merges both sources (kustomize ignores retainKeys)", [vol],
     [sm(pod_patch({"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "pvc"}}]}))])
case("volumes-source-switch", "switch a volume source with null", [vol],
     [sm(pod_patch({"volumes": [{"name": "data", "emptyDir": None, "persistentVolumeClaim": {"claimName": "pvc"}}]}))])
case("volumes-delete", "delete a volume", [vol], [sm(pod_patch({"volumes": [{"name": "cfg", "$patch": "delete"}]}))])
case("volumemounts-add", "volumeMounts keyed by mountPath", [vol],
     [sm(pod_patch({"containers": [{"name": "a", "volumeMounts": [{"name": "extra", "mountPath": "/extra"}]}]}))])
case("volumemounts-change", "change a mount by mountPath", [vol],
     [sm(pod_patch({"containers": [{"name": "a", "volumeMounts": [{"mountPath": "/data", "readOnly": True}]}]}))])
case("volumemounts-delete", "delete a mount by mountPath", [vol],
     [sm(pod_patch({"containers": [{"name": "a", "volumeMounts": [{"mountPath": "/etc/cfg", "$patch": "delete"}]}]}))])
case("volumemounts-same-name-two-paths", "two mounts of one volume are different elements", [vol],
     [sm(pod_patch({"containers": [{"name": "a", "volumeMounts": [{"name": "data", "mountPath": "/data2", "subPath": "x"}]}]}))])

# ---------------------------------------------------------------- atomic lists
tol = deploy(pod={"tolerations": [{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Equal", "value": "x"}]})
case("tolerations-replace", "tolerations are replaced wholesale", [tol],
     [sm(pod_patch({"tolerations": [{"key": "c", "operator": "Exists", "effect": "NoSchedule"}]}))])
case("tolerations-null", "null removes tolerations", [tol], [sm(pod_patch({"tolerations": None}))])
case("tolerations-add-to-none", "tolerations where there were none", [deploy()],
     [sm(pod_patch({"tolerations": [{"key": "c", "operator": "Exists"}]}))])
case("tolerations-patch-directive-literal", "directives inside an atomic list are not interpreted", [tol],
     [sm(pod_patch({"tolerations": [{"key": "a", "$patch": "delete"}]}))])
case("args-replace", "args are replaced", [deploy(containers=two)],
     [sm(pod_patch({"containers": [{"name": "a", "args": ["--y", "--z"]}]}))])
case("command-replace", "command is replaced", [deploy(containers=[c("a", command=["run", "x"])])],
     [sm(pod_patch({"containers": [{"name": "a", "command": ["start"]}]}))])
case("args-null", "null removes args", [deploy(containers=two)], [sm(pod_patch({"containers": [{"name": "a", "args": None}]}))])
case("args-empty", "an empty list replaces args", [deploy(containers=two)], [sm(pod_patch({"containers": [{"name": "a", "args": []}]}))])

# ---------------------------------------------------------------- finalizers & metadata
fin = deploy()
fin["metadata"]["finalizers"] = ["a.example.com/one", "b.example.com/two"]
def meta_patch(meta, kind="Deployment", api="apps/v1", name="web"):
    return {"apiVersion": api, "kind": kind, "metadata": dict({"name": name}, **meta)}
case("finalizers-add", "finalizers merge as a set, patch values first", [fin],
     [sm(meta_patch({"finalizers": ["c.example.com/three"]}))])
case("finalizers-overlap", "an existing finalizer in the patch moves first", [fin],
     [sm(meta_patch({"finalizers": ["b.example.com/two", "c.example.com/three"]}))])
case("finalizers-replace", "{$patch: replace} in a primitive list", [fin],
     [sm(meta_patch({"finalizers": [{"$patch": "replace"}, "z.example.com/z"]}))])
case("finalizers-new", "finalizers where there were none", [deploy()], [sm(meta_patch({"finalizers": ["x/y"]}))])
case("finalizers-null", "null removes finalizers", [fin], [sm(meta_patch({"finalizers": None}))])
case("labels-add", "labels merge", [deploy(labels={"a": "1"})], [sm(meta_patch({"labels": {"b": "2"}}))])
case("labels-null", "null deletes a label", [deploy(labels={"a": "1", "b": "2"})], [sm(meta_patch({"labels": {"a": None}}))])
case("annotations-merge", "annotations merge and overwrite", [deploy(labels={"a": "1"})],
     [sm(meta_patch({"annotations": {"x/y": "z"}, "labels": {"a": "3"}}))])
own = deploy()
own["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "o", "uid": "u1"}]
case("ownerreferences-merge", "ownerReferences merge by uid", [own],
     [sm(meta_patch({"ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "o2", "uid": "u2"},
                                         {"uid": "u1", "controller": True}]}))])
case("labels-replace-map", "$patch: replace on labels", [deploy(labels={"a": "1", "b": "2"})],
     [sm(meta_patch({"labels": {"$patch": "replace", "c": "3"}}))])

# ---------------------------------------------------------------- other pod-spec lists
case("imagepullsecrets-merge", "imagePullSecrets merge by name", [deploy(pod={"imagePullSecrets": [{"name": "one"}]})],
     [sm(pod_patch({"imagePullSecrets": [{"name": "two"}]}))])
case("hostaliases-merge", "hostAliases merge by ip", [deploy(pod={"hostAliases": [{"ip": "10.0.0.1", "hostnames": ["a"]}]})],
     [sm(pod_patch({"hostAliases": [{"ip": "10.0.0.1", "hostnames": ["b"]}, {"ip": "10.0.0.2", "hostnames": ["c"]}]}))])
tsc = [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}]
case("topology-spread", "topologySpreadConstraints keyed by topologyKey+whenUnsatisfiable", [deploy(pod={"topologySpreadConstraints": tsc})],
     [sm(pod_patch({"topologySpreadConstraints": [{"topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": 2},
                                                   {"topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "maxSkew": 3}]}))])
case("node-selector", "nodeSelector map merge", [deploy(pod={"nodeSelector": {"a": "1"}})],
     [sm(pod_patch({"nodeSelector": {"b": "2"}}))])
case("affinity-add", "affinity subtree added (nested lists inside)", [deploy()],
     [sm(pod_patch({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
         {"matchExpressions": [{"key": "k", "operator": "In", "values": ["v"]}]}]}}}}))])
case("affinity-terms-replace", "nodeSelectorTerms have no merge key: replaced",
     [deploy(pod={"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
         {"matchExpressions": [{"key": "k", "operator": "In", "values": ["v"]}]}]}}}})],
     [sm(pod_patch({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
         {"matchExpressions": [{"key": "k2", "operator": "Exists"}]}]}}}}))])
case("security-context-merge", "pod securityContext merge", [deploy(pod={"securityContext": {"runAsUser": 1, "fsGroup": 2}})],
     [sm(pod_patch({"securityContext": {"runAsNonRoot": True, "fsGroup": None}}))])
case("strategy-recreate", "strategy change with rollingUpdate removed by null",
     [deploy(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}})],
     [sm(pod_patch({}, extra={"strategy": {"type": "Recreate", "rollingUpdate": None}}))])
case("replicas-and-selector", "scalar and map fields at spec level", [deploy()],
     [sm(pod_patch({}, extra={"replicas": 3, "selector": {"matchLabels": {"tier": "fe"}}}))])
case("template-metadata", "pod template labels and annotations", [deploy()],
     [sm({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
          "spec": {"template": {"metadata": {"annotations": {"a": "b"}, "labels": {"x": "y"}}}}})])

# ---------------------------------------------------------------- whole objects, errors
case("object-delete", "$patch: delete at the top removes the object", [deploy(), svc],
     [sm({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "$patch": "delete"})])
case("wrong-kind", "a mapping where the object has a string", [deploy(containers=two)],
     [sm(pod_patch({"containers": [{"name": "a", "image": {"repository": "x"}}]}))])
case("wrong-kind-list", "a list where the object has a mapping", [deploy()],
     [sm(pod_patch({}, extra={"selector": [1]}))])
case("unknown-strategy", "an unknown $patch value", [deploy()],
     [sm(pod_patch({"containers": [{"name": "app", "$patch": "frobnicate"}]}))])
case("null-absent-field", "null for a field the object lacks changes nothing", [deploy()],
     [sm(pod_patch({"priorityClassName": None}))])
case("namespaced-patch", "a patch without target names the namespace", [deploy(ns="prod"), deploy(ns="dev")],
     [sm({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "dev"}, "spec": {"replicas": 5}})])
case("default-namespace", "namespace default matches an object without namespace", [deploy()],
     [sm({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"}, "spec": {"replicas": 5}})])
case("no-match-untargeted", "a strategic merge patch naming no object is an error", [deploy()],
     [sm({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nope"}, "spec": {"replicas": 5}})])
case("multi-doc-patch", "one patch text with two documents", [deploy(), svc],
     [{"patch": json.dumps(pod_patch({}, extra={"replicas": 2})) + "\n---\n" +
       json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"type": "NodePort"}})}])
case("name-change-ignored", "a targeted patch cannot rename without allowNameChange", [deploy()],
     [sm({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "other"}, "spec": {"replicas": 4}},
         target={"kind": "Deployment", "name": "web"})])
case("name-change-allowed", "allowNameChange lets the patch rename", [deploy()],
     [sm({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "renamed"}, "spec": {"replicas": 4}},
         target={"kind": "Deployment"}, options={"allowNameChange": True})])
case("kind-change-allowed", "allowKindChange lets the patch change kind", [deploy()],
     [sm({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"}, "spec": {"serviceName": "web"}},
         target={"kind": "Deployment"}, options={"allowKindChange": True})])
case("targeted-apiversion", "a targeted patch takes the target's apiVersion", [deploy()],
     [sm({"apiVersion": "v9", "kind": "Deployment", "metadata": {"name": "x"}, "spec": {"paused": True}},
         target={"kind": "Deployment"})])

# ---------------------------------------------------------------- targets
objs = [deploy("web", labels={"app": "web", "tier": "fe"}), deploy("api", labels={"app": "api", "tier": "be"}),
        deploy("db", kind="StatefulSet", labels={"app": "db"}, serviceName="db"), svc]
rep = lambda n: jp([{"op": "replace", "path": "/spec/replicas", "value": n}], None)
def tgt(t, n=7):
    e = rep(n)
    e["target"] = t
    return e
case("target-label-in", "labelSelector with in", objs, [tgt({"labelSelector": "app in (web,db)"})])
case("target-label-notin", "labelSelector with notin and !key", objs, [tgt({"kind": "Deployment|StatefulSet", "labelSelector": "app notin (web),!nothing"})])
case("target-label-eq", "labelSelector with = and !=", objs, [tgt({"labelSelector": "tier=fe"}), tgt({"kind": "Deployment", "labelSelector": "tier!=fe"}, 3)])
nomatch = tgt({"kind": "StatefulSet", "name": "d"}, 1)
nomatch["options"] = {"allowNoMatch": True}
case("target-name-regex", "name is an anchored regex (\"d\" does not match \"db\")", objs, [tgt({"name": "a.*"}), nomatch])
case("target-no-match", "a target matching nothing", objs, [tgt({"kind": "Nothing"})],
     kiln={"expect": "error", "why": "kpatch fails on patches that match no object unless allowNoMatch is set"})
case("target-kind-regex", "kind is an anchored regex", objs, [tgt({"kind": "(Deployment|StatefulSet)"})])
case("target-group-version", "group and version", objs, [tgt({"group": "apps", "version": "v1", "kind": "StatefulSet"})])
case("target-namespace-default", "namespace default matches objects without namespace", objs,
     [tgt({"namespace": "default", "kind": "Deployment", "name": "web"})])
anno = deploy("web")
anno["metadata"]["annotations"] = {"patch-me": "yes", "team": "a"}
case("target-annotation", "annotationSelector", [anno, deploy("other")], [tgt({"annotationSelector": "team=a"})])
case("target-smp-labels", "a strategic merge patch with a label target applies to every match", objs,
     [sm(pod_patch({"containers": [{"name": "app", "image": "nginx:2"}]}, name="any"), target={"labelSelector": "app"})])

# ---------------------------------------------------------------- JSON 6902
case("json-add", "add", [deploy()], [jp([{"op": "add", "path": "/spec/template/spec/priorityClassName", "value": "high"}], {"kind": "Deployment"})])
case("json-add-array-end", "add with -", [deploy(containers=two)],
     [jp([{"op": "add", "path": "/spec/template/spec/containers/-", "value": c("z")}], {"kind": "Deployment"})])
case("json-remove", "remove", [deploy(containers=two)], [jp([{"op": "remove", "path": "/spec/template/spec/containers/0/args"}], {"kind": "Deployment"})])
case("json-replace-escaped", "replace with ~1 escaping", [deploy(labels={"app.kubernetes.io/name": "x"})],
     [jp([{"op": "replace", "path": "/metadata/labels/app.kubernetes.io~1name", "value": "y"}], {"kind": "Deployment"})])
case("json-move-copy", "move and copy", [deploy(labels={"a": "1"})],
     [jp([{"op": "copy", "from": "/metadata/labels", "path": "/metadata/annotations"},
          {"op": "move", "from": "/metadata/labels/a", "path": "/metadata/labels/b"}], {"kind": "Deployment"})])
case("json-test-ok", "a passing test", [deploy()], [jp([{"op": "test", "path": "/spec/replicas", "value": 1},
                                                       {"op": "replace", "path": "/spec/replicas", "value": 2}], {"kind": "Deployment"})])
case("json-test-fail", "a failing test is an error", [deploy()], [jp([{"op": "test", "path": "/spec/replicas", "value": 9}], {"kind": "Deployment"})])
case("json-missing-path", "replace at a path that does not exist is an error", [deploy()],
     [jp([{"op": "replace", "path": "/spec/nope/x", "value": 1}], {"kind": "Deployment"})])
case("json-yaml-ops", "a JSON patch written in YAML", [deploy()],
     [{"patch": "- op: add\n  path: /metadata/labels\n  value:\n    x: y\n", "target": {"kind": "Deployment"}}])
case("json-no-target", "a JSON patch without target is an error", [deploy()],
     [{"patch": json.dumps([{"op": "add", "path": "/metadata/labels", "value": {}}])}])

# ---------------------------------------------------------------- webhooks, batch, autoscaling
mwc = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration", "metadata": {"name": "hooks"},
       "webhooks": [{"name": "a.example.com", "failurePolicy": "Fail", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                     "clientConfig": {"service": {"name": "s", "namespace": "n"}},
                     "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]},
                    {"name": "b.example.com", "failurePolicy": "Fail", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                     "clientConfig": {"service": {"name": "s", "namespace": "n"}}}]}
wp = lambda hooks, kind="MutatingWebhookConfiguration": {"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
                                                          "metadata": {"name": "hooks"}, "webhooks": hooks}
case("webhooks-merge", "webhooks merge by name", [mwc], [sm(wp([{"name": "b.example.com", "failurePolicy": "Ignore"}]))])
case("webhooks-add", "a new webhook goes first", [mwc], [sm(wp([{"name": "c.example.com", "sideEffects": "None"}]))])
case("webhooks-delete", "delete a webhook", [mwc], [sm(wp([{"name": "a.example.com", "$patch": "delete"}]))])
case("webhooks-rules-atomic", "rules inside a webhook are replaced", [mwc],
     [sm(wp([{"name": "a.example.com", "rules": [{"operations": ["UPDATE"], "apiGroups": ["apps"], "apiVersions": ["v1"], "resources": ["deployments"]}]}]))])
vwc = copy.deepcopy(mwc)
vwc["kind"] = "ValidatingWebhookConfiguration"
case("validating-webhooks", "ValidatingWebhookConfiguration webhooks", [vwc],
     [sm(wp([{"name": "a.example.com", "timeoutSeconds": 5}], "ValidatingWebhookConfiguration"))])
cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "job"},
        "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": two}}}}}}
case("cronjob-containers", "CronJob containers merge by name", [cron],
     [sm({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "job"},
          "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "b:9"}]}}}}}})])
job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "job"},
       "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": two}}}}
case("job-containers", "Job containers merge by name (a hook object)", [job],
     [sm({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "job"},
          "spec": {"template": {"spec": {"containers": [{"name": "a", "env": [{"name": "E", "value": "1"}]}]}}}})])
hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
       "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 3,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]}}
case("hpa-metrics-replace", "HPA metrics have no merge key: replaced", [hpa],
     [sm({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},
          "spec": {"maxReplicas": 9, "metrics": [{"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 70}}}]}})])
role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r", "finalizers": ["x/a"]},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}
case("clusterrole-rules", "ClusterRole rules replaced, finalizers merged", [role],
     [sm({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r", "finalizers": ["x/b"]},
          "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["list"]}]})])

# ---------------------------------------------------------------- custom resources
crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "widgets.example.com"},
       "spec": {"group": "example.com", "scope": "Namespaced", "names": {"kind": "Widget", "plural": "widgets"},
                "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                    "type": "object", "properties": {"spec": {"type": "object", "properties": {
                        "parts": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                                  "items": {"type": "object", "properties": {"name": {"type": "string"}, "size": {"type": "integer"},
                                                                             "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}}}},
                        "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"],
                                  "items": {"type": "object", "properties": {"port": {"type": "integer"}, "protocol": {"type": "string"}, "name": {"type": "string"}}}},
                        "flags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
                        "steps": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}}]}}
widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
          "spec": {"parts": [{"name": "a", "size": 1, "tags": ["x"]}, {"name": "b", "size": 2}],
                   "ports": [{"port": 80, "protocol": "TCP", "name": "http"}, {"port": 80, "protocol": "UDP", "name": "q"}],
                   "flags": ["f1", "f2"], "steps": [{"name": "s1"}, {"name": "s2"}], "labels": {"k": "v"}}}
wpatch = lambda spec: {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec}
# kustomize learns the same merge rules from an `openapi:` schema (its documented way to merge custom resources).
def km(keys, items=None):
    d = {"type": "array", "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": keys[0], "x-kubernetes-list-map-keys": keys}
    if items:
        d["items"] = {"$ref": "#/definitions/" + items}
    return d
widget_schema = {"definitions": {
    "com.example.v1.Widget": {"type": "object", "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Widget"}],
                              "properties": {"spec": {"$ref": "#/definitions/com.example.v1.WidgetSpec"}}},
    "com.example.v1.WidgetSpec": {"type": "object", "properties": {
        "parts": km(["name"], "com.example.v1.Part"), "ports": km(["port", "protocol"]),
        "flags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-patch-strategy": "merge"},
        "steps": {"type": "array", "items": {"type": "object"}}, "labels": {"type": "object", "additionalProperties": {"type": "string"}}}},
    "com.example.v1.Part": {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-patch-strategy": "merge"}}}}}
case("crd-list-map", "with its CRD in the set, a list-type map merges by key", [crd, widget],
     [sm(wpatch({"parts": [{"name": "b", "size": 20}, {"name": "c", "size": 3}]}))], openapi=widget_schema)
case("crd-list-set", "with its CRD, a list-type set merges as a set", [crd, widget],
     [sm(wpatch({"flags": ["f3", "f1"]}))], openapi=widget_schema)
case("crd-atomic", "with its CRD, a list without list-type is replaced", [crd, widget],
     [sm(wpatch({"steps": [{"name": "s9"}]}))], openapi=widget_schema)
case("crd-nested", "with its CRD, a set inside a map-list element", [crd, widget],
     [sm(wpatch({"parts": [{"name": "a", "tags": ["y"]}]}))], openapi=widget_schema)
case("crd-multikey", "with its CRD, a list-map keyed by two fields", [crd, widget],
     [sm(wpatch({"ports": [{"port": 80, "protocol": "UDP", "name": "dns"}, {"port": 443, "protocol": "TCP", "name": "https"}]}))],
     openapi=widget_schema)
case("crd-delete-element", "with its CRD, $patch: delete on a list-map element", [crd, widget],
     [sm(wpatch({"parts": [{"name": "a", "$patch": "delete"}]}))], openapi=widget_schema)
case("cr-without-crd-lists", "without its CRD, a custom resource's lists are replaced", [widget],
     [sm(wpatch({"parts": [{"name": "b", "size": 20}], "flags": ["f3"]}))])
case("cr-without-crd-maps", "without its CRD, maps still merge", [widget], [sm(wpatch({"labels": {"k2": "v2"}, "extra": {"a": 1}}))])
case("cr-embedded-deployment", "an embedded object with apiVersion/kind is merged with that kind's schema",
     [{"apiVersion": "example.com/v1", "kind": "Wrapper", "metadata": {"name": "w"},
       "spec": {"template": deploy(containers=two)}}],
     [sm({"apiVersion": "example.com/v1", "kind": "Wrapper", "metadata": {"name": "w"},
          "spec": {"template": {"apiVersion": "apps/v1", "kind": "Deployment",
                                "spec": {"template": {"spec": {"containers": [{"name": "b", "image": "b:7"}]}}}}}})])
case("crd-object-patch", "the CRD object itself is patchable", [crd],
     [sm({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "widgets.example.com",
          "annotations": {"helm.sh/resource-policy": "keep"}}})])

# ---------------------------------------------------------------- images
imgobjs = [deploy(containers=[c("a", "nginx:1.25"), c("b", "docker.io/library/nginx@sha256:abc"), c("c", "redis:7")],
                  pod={"initContainers": [c("i", "nginx")]}), cron]
case("images-newtag", "newTag everywhere the image appears", imgobjs, images=[{"name": "nginx", "newTag": "1.27"}])
case("images-newname", "newName keeps the tag", imgobjs, images=[{"name": "redis", "newName": "ghcr.io/x/redis"}])
case("images-digest", "digest replaces the tag", imgobjs, images=[{"name": "nginx", "digest": "sha256:def"}])
case("images-tag-and-digest", "newTag and digest together", imgobjs,
     images=[{"name": "docker.io/library/nginx", "newTag": "1", "digest": "sha256:0"}])
case("images-cronjob", "containers deep inside a CronJob", imgobjs, images=[{"name": "img", "newTag": "2"}])
case("images-regex-name", "the name is matched as a regular expression", imgobjs, images=[{"name": "ngin.", "newTag": "x"}])
case("images-volume-reference", "image volumes' reference",
     [deploy(pod={"volumes": [{"name": "v", "emptyDir": {}}, {"name": "w", "image": {"reference": "nginx:1"}}]})],
     images=[{"name": "nginx", "newTag": "2"}])
case("images-with-patches", "patches first, then images", [deploy(containers=[c("a", "nginx:1")])],
     [sm(pod_patch({"containers": [c("side", "nginx:3")]}))], images=[{"name": "nginx", "newName": "mirror/nginx"}])
case("images-crd-untouched", "CRDs are not touched", [crd, deploy(containers=[c("a", "nginx:1")])],
     images=[{"name": "nginx", "newTag": "9"}])
case("images-cr-map-image", "an image field holding a mapping is an error", [
     {"apiVersion": "example.com/v1", "kind": "Foo", "metadata": {"name": "f"},
      "spec": {"containers": [{"name": "a", "image": {"repository": "nginx", "tag": "1"}}]}}],
     images=[{"name": "nginx", "newTag": "2"}])

# ---------------------------------------------------------------- API-server directives (kubectl patch --local)
def apiserver(name, description, base, body):
    full = copy.deepcopy(body)
    meta = full.setdefault("metadata", {})
    meta["name"] = base["metadata"]["name"]
    full["apiVersion"] = base["apiVersion"]
    full["kind"] = base["kind"]
    CASES.append({"name": name, "description": description, "resources": [base], "config": {"patches": [sm(full)]},
                  "reference": "apiserver", "smp": body})
apiserver("setorder-containers", "$setElementOrder/containers reorders", deploy(containers=three),
          {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}]}}}})
apiserver("setorder-containers-partial", "$setElementOrder with a patched container", deploy(containers=three),
          {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
                                          "containers": [{"name": "b", "image": "b:2"}]}}}})
apiserver("setorder-env-new", "$setElementOrder places a new env var", deploy(containers=envc),
          {"spec": {"template": {"spec": {"containers": [{"name": "a", "$setElementOrder/env": [{"name": "A"}, {"name": "N"}, {"name": "B"}, {"name": "C"}],
                                                          "env": [{"name": "N", "value": "n"}]}]}}}})
apiserver("setorder-finalizers", "$setElementOrder on a list of primitives", fin,
          {"metadata": {"$setElementOrder/finalizers": ["b.example.com/two", "a.example.com/one"]}})
apiserver("retainkeys-strategy", "$retainKeys clears rollingUpdate", deploy(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}),
          {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}})
apiserver("retainkeys-volume", "$retainKeys switches a volume source", vol,
          {"spec": {"template": {"spec": {"volumes": [{"name": "data", "$retainKeys": ["name", "persistentVolumeClaim"],
                                                       "persistentVolumeClaim": {"claimName": "pvc"}}]}}}})
apiserver("delete-from-finalizers", "$deleteFromPrimitiveList/finalizers", fin,
          {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a.example.com/one"]}})
apiserver("delete-from-args", "$deleteFromPrimitiveList works on any primitive list", deploy(containers=[c("a", args=["x", "y", "z"])]),
          {"spec": {"template": {"spec": {"containers": [{"name": "a", "$deleteFromPrimitiveList/args": ["y"]}]}}}})
