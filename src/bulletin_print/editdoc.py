"""An issue file as the browser editor (`serve`) edits it: read with ruamel.yaml's round trip, handed
to the form as plain JSON, and written back with the editor's comments, key order and quoting kept.

Every mapping of the file gets an id ("__id") in the JSON, in the order the file holds them. When
the form sends the issue back, a mapping that carries its id is the file's own mapping, updated in
place, wherever the form moved it (an article dragged to another 栏目 keeps its comments); keys the
form does not know (a format key added later) are in the JSON too and so come back untouched. A
value the form did not change keeps the very scalar the file had, with its quoting.

The file stays the source of truth: `load.py` reads it for every check and build, as ever.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

ID = "__id"


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 1 << 30  # never fold a long paragraph onto several lines
    y.indent(mapping=2, sequence=4, offset=2)  # the layout of the project's issue files
    return y


def version(data: bytes) -> str:
    """What the editor opened: the file's content hash, which a save must still find on disk."""
    return hashlib.sha256(data).hexdigest()


def parse(text: str) -> Any:
    """The file's round-trip tree (raises ruamel's errors on malformed YAML)."""
    return _yaml().load(text)


def dump(tree: Any) -> str:
    out = io.StringIO()
    _yaml().dump(tree, out)
    return out.getvalue()


def _mappings(tree: Any) -> list[CommentedMap]:
    """Every mapping in the tree, in the file's order (the ids' order)."""
    out: list[CommentedMap] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            out.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(tree)
    return out


def to_json(tree: Any) -> Any:
    """The tree as JSON-able data for the form: mappings with their ids, dates as YYYY-MM-DD."""
    ids = {id(m): f"m{i}" for i, m in enumerate(_mappings(tree))}

    def conv(node: Any) -> Any:
        if isinstance(node, dict):
            return {ID: ids[id(node)], **{str(k): conv(v) for k, v in node.items()}}
        if isinstance(node, list):
            return [conv(v) for v in node]
        if isinstance(node, dt.date):
            return node.isoformat()
        if isinstance(node, ScalarString):
            return str(node)
        return node

    return conv(tree if tree is not None else CommentedMap())


def apply(tree: Any, data: dict) -> CommentedMap:
    """The file's tree with the form's `data` put in: the file's own mappings reused by id, its
    scalars reused where the form left them as they were, its comments kept with their items."""
    tree = tree if isinstance(tree, CommentedMap) else CommentedMap()
    originals = {f"m{i}": m for i, m in enumerate(_mappings(tree))}
    used: set[str] = set()

    def mapping(new: dict, old: Any) -> CommentedMap:
        key = new.get(ID)
        base = originals.get(key) if isinstance(key, str) and key not in used else None
        if base is not None:
            used.add(key)
        elif isinstance(old, CommentedMap) and ID not in new:
            base = old
        else:
            base = CommentedMap()
        for k in [k for k in base if str(k) not in new]:
            del base[k]
        for k, v in new.items():
            if k != ID:
                base[k] = value(v, base.get(k))
        return base

    def sequence(new: list, old: Any) -> CommentedSeq:
        base = old if isinstance(old, CommentedSeq) else CommentedSeq()
        before = list(base)
        comments = dict(base.ca.items)
        taken: set[int] = set()
        items, origin = [], []
        for j, v in enumerate(new):
            src = None
            if isinstance(v, dict) and isinstance(v.get(ID), str):
                src = next((i for i, o in enumerate(before) if originals.get(v[ID]) is o), None)
            elif not isinstance(v, (dict, list)):
                src = next((i for i, o in enumerate(before) if i not in taken and _same(o, v)), None)
            if src is None and j < len(before) and j not in taken and not isinstance(before[j], dict):
                src = j
            if src is not None:
                taken.add(src)
            items.append(value(v, before[src] if src is not None else None))
            origin.append(src)
        for item, src in zip(items, origin):
            if src is None and isinstance(item, CommentedSeq) and not any(isinstance(x, (dict, list)) for x in item):
                item.fa.set_flow_style()  # a new table row: [项目, 问题数, 已整改], as the format writes it
        list.clear(base)
        list.extend(base, items)
        base.ca.items.clear()
        for j, src in enumerate(origin):
            if src is not None and src in comments:
                base.ca.items[j] = comments[src]
        return base

    def value(new: Any, old: Any) -> Any:
        if isinstance(new, dict):
            return mapping(new, old)
        if isinstance(new, list):
            return sequence(new, old)
        if isinstance(new, str):
            if isinstance(old, dt.date) and not isinstance(old, dt.datetime):
                try:
                    return dt.date.fromisoformat(new)
                except ValueError:
                    return new
            if isinstance(old, str) and str(old) == new:
                return old  # the file's own scalar, quoting and all
            if isinstance(old, ScalarString):
                return type(old)(new)  # quoted as the file quoted it
            return new
        if isinstance(new, bool) or new is None:
            return new
        if isinstance(new, (int, float)):
            return old if type(old) is type(new) and old == new else new
        return new

    return mapping(data, tree)


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, dt.date):
        return old.isoformat() == new
    return type(old) is not bool and not isinstance(old, (dict, list)) and old == new


def plain(tree: Any) -> Any:
    """The tree as plain data (what the form's JSON is, without ids)."""
    def conv(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: conv(v) for k, v in node.items() if k != ID}
        if isinstance(node, list):
            return [conv(v) for v in node]
        return node

    return conv(to_json(tree))
