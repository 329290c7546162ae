"""YAML documents that remember where each key stood.

Editors fix what they can find: every content error must name the file and the line of the
offending key. PyYAML's composed node tree keeps those positions, so the document is kept beside
the plain data and asked for a line only when something is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class YamlSyntaxError(Exception):
    """A file that is not well-formed YAML; carries the 1-based line of the problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class YamlDocument:
    """The data of one YAML file plus the node tree that locates its keys."""

    path: Path
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: Sequence[str | int]) -> int:
        """The line of the deepest key or item on `loc` that exists (1-based).

        A missing key is reported at the mapping that should have held it, which is where the
        editor has to add it.
        """
        node = self.root
        line = node.start_mark.line + 1 if node is not None else 1
        for part in loc:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key_node, value_node in node.value:
                    if key_node.value == part:
                        line = key_node.start_mark.line + 1
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    node = node.value[part]
                    line = node.start_mark.line + 1
                else:
                    return line
            else:
                return line
        return line


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys and aliases.

    A second `name:` silently winning hides typos; aliases (`*ref`) are never needed in content and
    can multiply a small file into billions of values.
    """

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "alias (*namn) används inte i innehållet; skriv ut värdet", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"nyckeln '{key}' förekommer två gånger", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# libyaml (PyYAML's C parser) composes the node tree about twenty times faster than the pure Python
# parser, which dominates a build of thousands of files. It is used only for documents it cannot
# get wrong: see _parse_fast.
_CLoader: type[Any] | None = getattr(yaml, "CSafeLoader", None)
# libyaml's composer recurses on the C stack and overflows it somewhere past 10,000 levels of
# nesting; every level needs one of these characters, so a text with fewer of them is safe.
_NESTING_CHARS = "[{-?:"
_FAST_MAX_NESTING_CHARS = 2000
# Content is never nested deeper than about ten levels; anything deeper takes the Python path,
# whose recursion limit decides, so both paths accept exactly the same documents.
_FAST_MAX_DEPTH = 64
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_SAFE = yaml.constructor.SafeConstructor()
_SCALARS: dict[str, Any] = {
    "tag:yaml.org,2002:null": _SAFE.construct_yaml_null,
    "tag:yaml.org,2002:bool": _SAFE.construct_yaml_bool,
    "tag:yaml.org,2002:int": _SAFE.construct_yaml_int,
    "tag:yaml.org,2002:float": _SAFE.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": _SAFE.construct_yaml_timestamp,
}


class _NotPlain(Exception):
    """The document uses something the fast path leaves to the Python parser (and its messages)."""


def _construct(node: yaml.Node, depth: int, seen: set[int]) -> Any:
    """Plain data from a node tree, as SafeConstructor builds it, for plain documents only.

    Aliases (a node reached twice), merge keys, duplicate keys, explicit tags beyond the plain
    scalars and deep nesting raise _NotPlain: the Python path then gives the exact answer.
    """
    if depth > _FAST_MAX_DEPTH or id(node) in seen:
        raise _NotPlain
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR:
            return node.value
        constructor = _SCALARS.get(node.tag)
        if constructor is None:
            raise _NotPlain
        return constructor(node)
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [_construct(item, depth + 1, seen) for item in node.value]
    if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _NotPlain
            key = _construct(key_node, depth + 1, seen)
            if key in mapping:
                raise _NotPlain
            mapping[key] = _construct(value_node, depth + 1, seen)
        return mapping
    raise _NotPlain


def _parse_fast(text: str) -> tuple[yaml.Node | None, Any] | None:
    """(root node, data) through libyaml, or None when the Python parser must decide."""
    if _CLoader is None or sum(text.count(char) for char in _NESTING_CHARS) > _FAST_MAX_NESTING_CHARS:
        return None
    loader = _CLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    if root is None:
        return None, None
    try:
        return root, _construct(root, 0, set())
    except (_NotPlain, yaml.YAMLError, ValueError, TypeError):
        return None


def parse_yaml(path: Path, text: str) -> YamlDocument:
    """Parse one YAML text; raise YamlSyntaxError with a line number on malformed input."""
    fast = _parse_fast(text)
    if fast is not None:
        return YamlDocument(path=path, data=fast[1], root=fast[0])
    loader: _UniqueKeyLoader | None = None
    try:
        loader = _UniqueKeyLoader(text)
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = err.problem or err.context or "ogiltig YAML"
        raise YamlSyntaxError(line, f"ogiltig YAML: {problem}") from None
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, max(err.position, 0)) + 1
        raise YamlSyntaxError(line, f"otillåtet tecken (kod {err.character:#06x}) i filen") from None
    except yaml.YAMLError as err:
        raise YamlSyntaxError(1, f"ogiltig YAML: {err}") from None
    except RecursionError:
        raise YamlSyntaxError(1, "ogiltig YAML: för djupt nästlad") from None
    finally:
        if loader is not None:
            loader.dispose()
    return YamlDocument(path=path, data=data, root=root)


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse a UTF-8 YAML file."""
    return parse_yaml_bytes(path, path.read_bytes())


def parse_yaml_bytes(path: Path, data: bytes) -> YamlDocument:
    """Parse the bytes of a UTF-8 YAML file, with line ends read as Path.read_text reads them.

    A build reads each file once, for its content hash and for parsing.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise YamlSyntaxError(1, f"filen är inte UTF-8 ({err.reason})") from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return parse_yaml(path, text)
