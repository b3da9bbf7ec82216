"""lambdalint's record classes behave as the dataclasses they replace (lambdalint/records.py),
on every Python the suite finds."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import ClassVar

import pytest

from lambdalint.records import FrozenInstanceError, field, record, replace

from interpreters import interpreter
from probes import imported_by

ROOT = Path(__file__).resolve().parents[1]


@record(frozen=True)
class Point:
    x: int
    y: int = 0
    label: str | None = field(default=None, compare=False)
    LIMIT: ClassVar[int] = 10


@record(frozen=True)
class Other:
    x: int
    y: int = 0


@record(frozen=True)
class Labelled(Point):
    colour: str = "red"


@record
class Bag:
    name: str
    items: list[int] = field(default_factory=list)
    size: int = field(init=False, default=0)
    seen: list[str] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.size = len(self.items)


@record(eq=False)
class Node:
    name: str
    children: list[Node] = field(default_factory=list)


def test_fields_defaults_and_class_variables() -> None:
    assert (Point(1).x, Point(1).y, Point(1, 2, "a").label) == (1, 0, "a")
    assert Point.LIMIT == 10
    with pytest.raises(TypeError):
        Point(1, 2, "a", 4)  # type: ignore[call-arg]  # LIMIT is not a field


def test_equality_is_by_compared_fields_within_one_class() -> None:
    assert Point(1, 2, "a") == Point(1, 2, "b")
    assert Point(1, 2) != Point(2, 1)
    assert Point(1, 2) != Other(1, 2)  # same values, another class
    assert len({Point(1, 2, "a"), Point(1, 2, "b"), Other(1, 2)}) == 2
    assert hash(Point(1, 2, "a")) == hash(Point(1, 2, "b"))


def test_frozen_records_refuse_assignment() -> None:
    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.y  # type: ignore[misc]


def test_inherited_fields_come_first() -> None:
    labelled = Labelled(1, 2, "l", "blue")
    assert (labelled.x, labelled.y, labelled.label, labelled.colour) == (1, 2, "l", "blue")
    assert repr(labelled) == "Labelled(x=1, y=2, label='l', colour='blue')"
    assert labelled != Point(1, 2)


def test_mutable_records_get_fresh_defaults_run_post_init_and_are_unhashable() -> None:
    first, second = Bag("a", [1, 2]), Bag("b")
    second.items.append(1)
    assert (first.size, second.size, Bag("c").items, first.seen) == (2, 0, [], [])
    assert first == Bag("a", [1, 2])
    with pytest.raises(TypeError):
        hash(first)


def test_records_without_eq_compare_and_hash_by_identity_and_repr_cycles() -> None:
    node = Node("a")
    node.children.append(node)
    assert node != Node("a", [])
    assert {node: 1}[node] == 1
    assert repr(node) == "Node(name='a', children=[...])"


def test_replace_copies_init_fields() -> None:
    assert replace(Point(1, 2, "a"), y=5) == Point(1, 5)
    assert replace(Point(1, 2, "a"), y=5).label == "a"
    bag = replace(Bag("a", [1]), name="b")
    assert (bag.name, bag.items, bag.size) == ("b", [1], 1)
    with pytest.raises(ValueError, match="size"):
        replace(Bag("a"), size=3)


SMOKE = """
import sys
sys.path.insert(0, sys.argv[1])
from lambdalint.records import record, field, replace
@record(frozen=True)
class A:
    x: int
    y: list = field(default=None, compare=False)
@record
class B:
    z: list = field(default_factory=list)
assert A(1, [1]) == A(1) and hash(A(1)) == hash(A(1, 2)) and replace(A(1), x=2).x == 2
assert B().z == [] and B().z is not B().z
print("ok")
"""


@pytest.mark.parametrize("minor", [9, 10, 12, 13, 14])
def test_records_work_on_other_pythons(minor: int) -> None:
    python = interpreter(minor)
    if python is None:
        pytest.skip(f"no Python 3.{minor} on this machine")
    result = subprocess.run([python, "-c", SMOKE, str(ROOT)], capture_output=True,
                            text=True, check=False)
    assert result.stdout.strip() == "ok", result.stderr


def test_a_check_never_imports_dataclasses(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    code, _, modules = imported_by(["check", "--format", "json", "--runtime", "python3.12",
                                    "--handler", "app.handler", "app.py"], tmp_path,
                                   forget=("dataclasses", "inspect"))
    assert (code, "dataclasses" in modules, "inspect" in modules) == (0, False, False)
