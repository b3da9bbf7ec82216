"""CloudFormation intrinsic functions, resolved where the template itself decides the value.

Parameter defaults, ``Mappings``, conditions that depend only on those, ``!Sub`` over known
names, ``!Join``/``!Select``/``!Split``/``!If``/``!FindInMap``/``!Base64``: computed.
``!Ref``/``!GetAtt`` to a resource: its identity is known (the logical id), its value is
not. Pseudo parameters (``AWS::Region``…), imports and everything decided at deploy time
stay unknown and are shown as ``${…}``; nothing is guessed. Every resolution has a step
budget and a depth limit, so a hostile template (conditions that refer to each other,
deep nesting) ends with an unknown value, never a hang.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from lambdalint.discover.decode import Map, Seq
from lambdalint.records import record

NO_VALUE = "AWS::NoValue"
_PSEUDO = frozenset({"AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::StackName",
                     "AWS::StackId", "AWS::URLSuffix", "AWS::NotificationARNs", NO_VALUE})
_SUB_NAME = re.compile(r"\$\{([^}!][^}]*)\}")
MAX_STEPS = 200_000
MAX_DEPTH = 100
# A value a template computes (a !Join or !Sub over aliases of long strings) beyond this is
# not a runtime, handler, name or ARN: unknown, rather than gigabytes of text.
MAX_TEXT = 64 * 1024
# A list property (!Split of a long default) beyond this is not a real layer or rule list.
MAX_ITEMS = 1000


@record(frozen=True)
class Resolved:
    """What a template value comes to."""

    text: str | None  # the value, when the template decides it
    # The value with the parts decided at deploy time left as ${…} (ARNs are matched on it).
    pattern: str | None = None
    refers_to: str | None = None  # the logical id of the resource it names
    removed: bool = False  # !Ref AWS::NoValue: the property is not set at all

    @property
    def known(self) -> bool:
        return self.text is not None


UNKNOWN = Resolved(None)


class Resolver:
    """Resolves values of one template; conditions are decided once each."""

    def __init__(self, template: Map) -> None:
        self.parameters = _section(template, "Parameters")
        self.mappings = _section(template, "Mappings")
        self.conditions = _section(template, "Conditions")
        self.resources = _section(template, "Resources")
        self._decided: dict[str, bool | None] = {}
        self._deciding: set[str] = set()
        self._steps = 0

    # -- scalars ---------------------------------------------------------------------------

    def value(self, node: Any, depth: int = 0) -> Resolved:
        self._steps += 1
        if self._steps > MAX_STEPS or depth > MAX_DEPTH:
            return UNKNOWN
        if isinstance(node, str):
            return Resolved(str(node), str(node)) if len(node) <= MAX_TEXT else UNKNOWN
        if not isinstance(node, Map) or len(node) != 1:
            return UNKNOWN
        (function, argument), = node.items()
        handler = _FUNCTIONS.get(function)
        if handler is None:
            return UNKNOWN
        return handler(self, argument, depth + 1)

    def text(self, node: Any) -> str | None:
        return self.value(node).text

    def ref(self, name: str) -> Resolved:
        if name in _PSEUDO:
            return Resolved(None, f"${{{name}}}", removed=name == NO_VALUE)
        parameter = self.parameters.get(name)
        if isinstance(parameter, Map):
            default = parameter.get("Default")
            kind = parameter.get("Type")
            if isinstance(kind, str) and kind.startswith("AWS::SSM::Parameter::Value"):
                # The default names an SSM parameter; its value is read at deploy time.
                return Resolved(None, f"${{{name}}}")
            if isinstance(default, str) and len(default) <= MAX_TEXT:
                return Resolved(str(default), str(default))
            if isinstance(default, Seq) and all(isinstance(v, str) for v in default):
                joined = ",".join(str(v) for v in default)
                return Resolved(joined, joined)
            return Resolved(None, f"${{{name}}}")
        if name in self.resources:
            return Resolved(None, f"${{{name}}}", refers_to=name)
        return Resolved(None, f"${{{name}}}")

    # -- lists -----------------------------------------------------------------------------

    def items(self, node: Any, depth: int = 0) -> list[Any] | None:
        """A list property's items (``!If`` and ``!Split`` in list position resolved);
        None when the list itself is decided at deploy time."""
        self._steps += 1
        if self._steps > MAX_STEPS or depth > MAX_DEPTH:
            return None
        if isinstance(node, Seq):
            if len(node) > MAX_ITEMS:
                return None
            out: list[Any] = []
            for item in node:
                if isinstance(item, Map) and len(item) == 1 and "Fn::If" in item:
                    chosen = self._if_branch(item["Fn::If"], depth + 1)
                    if chosen is _UNDECIDED:
                        out.append(item)
                    elif chosen is not None and not self.value(chosen).removed:
                        out.append(chosen)
                elif not self.value(item, depth + 1).removed:
                    out.append(item)
            return out
        if isinstance(node, Map) and len(node) == 1:
            if "Fn::If" in node:
                chosen = self._if_branch(node["Fn::If"], depth + 1)
                return None if chosen is _UNDECIDED else self.items(chosen, depth + 1)
            if "Fn::Split" in node:
                split = _split_list(self, node["Fn::Split"], depth + 1)
                return list(split) if split is not None else None
            if "Ref" in node:
                resolved = self.ref(str(node["Ref"]))
                text = resolved.text
                return text.split(",") if text is not None and text.count(",") < MAX_ITEMS \
                    else None
        return None

    # -- conditions ------------------------------------------------------------------------

    def condition(self, name: str, depth: int = 0) -> bool | None:
        """A named condition's value when the template decides it (parameter defaults)."""
        if name in self._decided:
            return self._decided[name]
        if name in self._deciding or depth > MAX_DEPTH:
            return None  # conditions that refer to each other (or too far) decide nothing
        self._deciding.add(name)
        decided = self._truth(self.conditions.get(name), depth + 1)
        self._deciding.discard(name)
        self._decided[name] = decided
        return decided

    def _truth(self, node: Any, depth: int) -> bool | None:
        self._steps += 1
        if self._steps > MAX_STEPS or depth > MAX_DEPTH:
            return None
        if isinstance(node, str):
            return {"true": True, "false": False}.get(str(node).lower())
        if not isinstance(node, Map) or len(node) != 1:
            return None
        (function, argument), = node.items()
        if function == "Condition" and isinstance(argument, str):
            return self.condition(str(argument), depth + 1)
        if not isinstance(argument, Seq):
            return None
        if function == "Fn::Equals" and len(argument) == 2:
            left, right = (self.value(a, depth + 1).text for a in argument)
            return None if left is None or right is None else left == right
        values = [self._truth(a, depth + 1) for a in argument]
        if function == "Fn::Not" and len(values) == 1:
            return None if values[0] is None else not values[0]
        if function == "Fn::And":
            return False if False in values else (None if None in values else True)
        if function == "Fn::Or":
            return True if True in values else (None if None in values else False)
        return None

    def branch(self, argument: Any) -> Any:
        """The branch an `!If` takes when its condition is decided, else None."""
        chosen = self._if_branch(argument, 0)
        return None if chosen is _UNDECIDED else chosen

    def _if_branch(self, argument: Any, depth: int) -> Any:
        if not isinstance(argument, Seq) or len(argument) != 3 or \
                not isinstance(argument[0], str):
            return _UNDECIDED
        decided = self.condition(str(argument[0]), depth + 1)
        if decided is None:
            return _UNDECIDED
        return argument[1] if decided else argument[2]


_UNDECIDED = object()


def _section(template: Map, name: str) -> Map:
    section = template.get(name)
    return section if isinstance(section, Map) else Map(template.mark)


# -- the functions -------------------------------------------------------------------------


def _ref(resolver: Resolver, argument: Any, depth: int) -> Resolved:
    return resolver.ref(str(argument)) if isinstance(argument, str) else UNKNOWN


def _get_att(resolver: Resolver, argument: Any, depth: int) -> Resolved:
    if isinstance(argument, Seq) and len(argument) == 2 and isinstance(argument[0], str):
        name = str(argument[0])
        attribute = str(argument[1]) if isinstance(argument[1], str) else "?"
        refers = name if name in resolver.resources else None
        return Resolved(None, f"${{{name}.{attribute}}}", refers_to=refers)
    return UNKNOWN


def _sub(resolver: Resolver, argument: Any, depth: int) -> Resolved:
    variables: dict[str, Any] = {}
    if isinstance(argument, Seq) and len(argument) == 2 and isinstance(argument[1], Map):
        argument, variables = argument[0], dict(argument[1])
    if not isinstance(argument, str):
        return UNKNOWN
    known = True
    refers: str | None = None

    grown = 0  # what the substitutions add: bounded before it is built

    def substitute(match: re.Match[str]) -> str:
        nonlocal known, refers, grown
        if grown > MAX_TEXT:
            return ""
        name = match.group(1).strip()
        if name in variables:
            resolved = resolver.value(variables[name], depth + 1)
        elif "." in name:
            resource = name.partition(".")[0]
            resolved = Resolved(None, f"${{{name}}}",
                                refers_to=resource if resource in resolver.resources else None)
        else:
            resolved = resolver.ref(name)
        refers = refers or resolved.refers_to
        piece = resolved.text if resolved.text is not None else \
            (resolved.pattern or f"${{{name}}}")
        known = known and resolved.text is not None
        grown += len(piece)
        return piece if grown <= MAX_TEXT else ""

    if len(argument) > MAX_TEXT:
        return UNKNOWN
    pattern = _SUB_NAME.sub(substitute, str(argument)).replace("${!", "${")
    if grown > MAX_TEXT:
        return UNKNOWN
    return Resolved(pattern if known else None, pattern, refers_to=refers)


def _join(resolver: Resolver, argument: Any, depth: int) -> Resolved:
    if not isinstance(argument, Seq) or len(argument) != 2 or \
            not isinstance(argument[0], str):
        return UNKNOWN
    parts = resolver.items(argument[1], depth + 1)
    if parts is None:
        return UNKNOWN
    resolved = [resolver.value(p, depth + 1) for p in parts]
    if sum(len(r.pattern or "") for r in resolved) > MAX_TEXT:
        return UNKNOWN
    pattern = str(argument[0]).join(r.pattern or "${?}" for r in resolved)
    if all(r.known for r in resolved):
        return Resolved(pattern, pattern)
    return Resolved(None, pattern)


def _select(resolver: Resolver, argument: Any, depth: int) -> Resolved:
    if not isinstance(argument, Seq) or len(argument) != 2:
        return UNKNOWN
    index = resolver.value(argument[0], depth + 1).text
    items = resolver.items(argument[1], depth + 1)
    if index is None or not (index.isascii() and index.isdigit()) or items is None or \
            int(index) >= len(items):
        return UNKNOWN
    return resolver.value(items[int(index)], depth + 1)


def _split_list(resolver: Resolver, argument: Any, depth: int) -> list[str] | None:
    if not isinstance(argument, Seq) or len(argument) != 2 or \
            not isinstance(argument[0], str) or not argument[0]:
        return None
    source = resolver.value(argument[1], depth + 1).text
    if source is None or source.count(str(argument[0])) >= MAX_ITEMS:
        return None
    return source.split(str(argument[0]))


def _split(resolver: Resolver, argument: Any, depth: int) -> Resolved:
    return UNKNOWN  # a list, never a scalar; items() and !Select read it


def _if(resolver: Resolver, argument: Any, depth: int) -> Resolved:
    chosen = resolver._if_branch(argument, depth + 1)
    if chosen is _UNDECIDED:
        return UNKNOWN
    return resolver.value(chosen, depth + 1)


def _find_in_map(resolver: Resolver, argument: Any, depth: int) -> Resolved:
    if not isinstance(argument, Seq) or len(argument) < 3:
        return UNKNOWN
    keys = [resolver.value(a, depth + 1).text for a in argument[:3]]
    node: Any = resolver.mappings
    for key in keys:
        node = node.get(key) if isinstance(node, Map) and key is not None else None
    return resolver.value(node, depth + 1) if node is not None else UNKNOWN


def _base64(resolver: Resolver, argument: Any, depth: int) -> Resolved:
    inner = resolver.value(argument, depth + 1)
    if inner.text is None:
        return UNKNOWN
    encoded = base64.b64encode(inner.text.encode()).decode()
    return Resolved(encoded, encoded)


def _unknown(resolver: Resolver, argument: Any, depth: int) -> Resolved:
    return UNKNOWN


_FUNCTIONS = {
    "Ref": _ref, "Fn::GetAtt": _get_att, "Fn::Sub": _sub, "Fn::Join": _join,
    "Fn::Select": _select, "Fn::Split": _split, "Fn::If": _if, "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64, "Fn::ImportValue": _unknown, "Fn::GetAZs": _unknown,
    "Fn::Cidr": _unknown, "Fn::Transform": _unknown,
}
