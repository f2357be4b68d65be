"""Example kiln post-renderer in Python: adds a label to every object.

Configuration: ``KEY=VALUE``, the label to add (default ``kiln.dev/post-rendered=true``). kiln hands each object to
post-renderers as JSON bytes; this plugin returns JSON bytes too.

Build (needs ``pip install componentize-py==0.25.1``)::

    componentize-py --wit-path ../../../wit --world post-renderer componentize --stub-wasi app -o out/label.wasm

``--stub-wasi`` replaces the WASI imports Python's runtime declares (filesystem, sockets, ...) with stubs, so the
component imports only what kiln's sandbox allows.
"""

import json

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import log, types


def _config(config: str):
    text = config.strip()
    if not text:
        return "kiln.dev/post-rendered", "true"
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise Err(types.PluginError_InvalidConfig(types.ErrorDetail(f"expected KEY=VALUE, got `{text}`", None)))
    return key, value


class PostRender(exports.PostRender):
    def post_render(self, documents, config):
        key, value = _config(config)
        log.log(log.Level.DEBUG, f"labelling {len(documents)} objects with {key}={value}")
        out = []
        for doc in documents:
            try:
                obj = json.loads(bytes(doc.content))
            except ValueError as e:
                loc = types.Location(doc.origin, None, None, None)
                raise Err(types.PluginError_InvalidInput(types.ErrorDetail(f"not a JSON object: {e}", loc)))
            metadata = obj.setdefault("metadata", {})
            labels = metadata.get("labels") or {}
            labels[key] = value
            metadata["labels"] = labels
            out.append(types.Document(json.dumps(obj, separators=(",", ":")).encode(), doc.origin))
        return out
