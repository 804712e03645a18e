"""Lean botocore models: one service model and client class per service, without documentation.

botocore builds a new `ServiceModel` (with its own shape cache) and a new client class for every
client, and keeps each service's documentation strings in memory. srmscan makes one client per
(service, region), so a four-region scan held four copies of EC2's model and every API's prose:
a third of the scan's memory. Models do not depend on the region, and srmscan never reads the
documentation, so for the sessions srmscan creates:

- the loader empties the `documentation` strings of the models as it parses them, and keeps
  each shape as compact JSON text, decoded the first time a call needs it (a scan touches a few
  dozen of EC2's thousands of shapes);
- clients of one service share one `ServiceModel` and one client class.

Only loaders registered with `register()` are affected: anything else in the process that uses
botocore (moto, a user's own code) gets botocore's ordinary behaviour. If botocore's internals
change shape, `register()` does nothing and the scan simply uses more memory.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import weakref
from collections.abc import Iterator, Mapping
from typing import Any

import botocore.client
import botocore.loaders

_LOCK = threading.Lock()
_LOADERS: weakref.WeakKeyDictionary[Any, dict[tuple[str, str | None], Any]] = weakref.WeakKeyDictionary()
_CLASSES: weakref.WeakKeyDictionary[Any, dict[int, type]] = weakref.WeakKeyDictionary()
_installed = False


def register(botocore_session: Any) -> None:
    """Make `botocore_session`'s clients share models and classes, and its models docless."""
    loader = botocore_session.get_component("data_loader")
    if not _install() or loader in _LOADERS:
        return
    if type(loader.file_loader) is botocore.loaders.JSONFileLoader:
        loader.file_loader = _DoclessJSONFileLoader()
    original = loader.load_service_model

    @functools.wraps(original)
    def load_service_model(service_name: str, type_name: str, api_version: str | None = None) -> Any:
        model = original(service_name, type_name, api_version)
        if type_name == "service-2" and isinstance(model, dict) and isinstance(model.get("shapes"), dict):
            model["shapes"] = CompactShapes(model["shapes"])
            if isinstance(model.get("operations"), dict):
                model["operations"] = CompactShapes(model["operations"])
        return model

    loader.load_service_model = load_service_model
    with _LOCK:
        _LOADERS[loader] = {}


class CompactShapes(Mapping[str, Any]):
    """A service model's `shapes` (or `operations`), each held as JSON text until botocore first
    resolves it."""

    def __init__(self, shapes: dict[str, Any]) -> None:
        self._text = {name: json.dumps(shape, separators=(",", ":")) for name, shape in shapes.items()}
        self._decoded: dict[str, Any] = {}
        #: the shapes the model marks as exceptions, so `ServiceModel.error_shapes` (built on a
        #: service's first error answer) need not decode every shape of the service to find them
        self.exception_names = [
            name for name, shape in shapes.items() if isinstance(shape, dict) and shape.get("exception")
        ]

    def __getitem__(self, name: str) -> Any:
        shape = self._decoded.get(name)
        if shape is None:
            shape = self._decoded.setdefault(name, json.loads(self._text[name]))  # KeyError as a dict
        return shape

    def __iter__(self) -> Iterator[str]:
        return iter(self._text)

    def __len__(self) -> int:
        return len(self._text)


def _docless(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a plain dict, its documentation emptied (not removed: some botocore code
    reads param["documentation"] directly). botocore itself builds OrderedDicts, which cost more."""
    node = dict(pairs)
    for key in ("documentation", "documentationUrl"):
        if isinstance(node.get(key), str):
            node[key] = ""
    return node


class _DoclessJSONFileLoader(botocore.loaders.JSONFileLoader):
    """botocore's JSON file loader, dropping prose while parsing, so it never sits in memory."""

    def _load_file(self, full_path: str, open_method: Any) -> Any:
        if not os.path.isfile(full_path):
            return None
        with open_method(full_path, "rb") as fp:
            payload = fp.read().decode("utf-8")
        return json.loads(payload, object_pairs_hook=_docless)


def _with_lean_error_shapes(service_model: Any) -> Any:
    """Answer `error_shapes` from the exception names noted at load time.

    botocore's own `ServiceModel.error_shapes` walks every shape of the service to find those
    marked as exceptions, and it runs on the first error answer of a service (an AccessDenied, a
    NoSuchBucketPolicy): that decoded all of EC2's ~4,000 shapes and kept them. It is a
    `CachedProperty`, which reads the instance's `__dict__` first, so the list is put there,
    built from the few (small) exception shapes only. Same result, same order as botocore's.
    """
    shapes = getattr(service_model, "_service_description", {}).get("shapes")
    if isinstance(shapes, CompactShapes):
        names = shapes.exception_names
        service_model.__dict__["error_shapes"] = [service_model.shape_for(name) for name in names]
    return service_model


def _install() -> bool:
    global _installed
    creator = botocore.client.ClientCreator
    with _LOCK:
        if _installed:
            return True
        load = getattr(creator, "_load_service_model", None)
        make_class = getattr(creator, "_create_client_class", None)
        if load is None or make_class is None:
            return False

        @functools.wraps(load)
        def shared_model(self: Any, service_name: str, api_version: str | None = None) -> Any:
            models = _LOADERS.get(getattr(self, "_loader", None))
            if models is None:
                return load(self, service_name, api_version)
            key = (service_name, api_version)
            with _LOCK:
                model = models.get(key)
            if model is None:
                model = _with_lean_error_shapes(load(self, service_name, api_version))
                with _LOCK:
                    model = models.setdefault(key, model)
            return model

        @functools.wraps(make_class)
        def shared_class(self: Any, service_name: str, service_model: Any) -> type:
            if _LOADERS.get(getattr(self, "_loader", None)) is None:
                return make_class(self, service_name, service_model)
            emitter = id(self._event_emitter)  # handlers of the session shape the class
            with _LOCK:
                cls = _CLASSES.setdefault(service_model, {}).get(emitter)
            if cls is None:
                cls = make_class(self, service_name, service_model)
                with _LOCK:
                    cls = _CLASSES[service_model].setdefault(emitter, cls)
            return cls

        creator._load_service_model = shared_model
        creator._create_client_class = shared_class
        _installed = True
    return True
