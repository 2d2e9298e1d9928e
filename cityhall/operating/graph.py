"""Directed acyclic graphs: finding the cycle a new edge would close, and laying out the benefit map."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)


def path_between(edges: Iterable[tuple[Node, Node]], start: Node, goal: Node) -> list[Node] | None:
    """A path start → … → goal along the edges, or None. Adding goal → start would close it into a cycle."""
    successors: dict[Node, list[Node]] = defaultdict(list)
    for source, target in edges:
        successors[source].append(target)
    came_from: dict[Node, Node | None] = {start: None}
    frontier = [start]
    while frontier:
        current = frontier.pop()
        if current == goal:
            path = [current]
            while (previous := came_from[path[-1]]) is not None:
                path.append(previous)
            return list(reversed(path))
        for successor in successors[current]:
            if successor not in came_from:
                came_from[successor] = current
                frontier.append(successor)
    return None


def cycle_if_added(edges: Iterable[tuple[Node, Node]], source: Node, target: Node) -> list[Node] | None:
    """The cycle source → target → … → source that the edge would make, or None."""
    if source == target:
        return [source, source]
    back = path_between(edges, target, source)
    if back is None:
        return None
    return [source, *back]


def downstream(edges: Iterable[tuple[Node, Node]], start: Node) -> set[Node]:
    successors: dict[Node, list[Node]] = defaultdict(list)
    for source, target in edges:
        successors[source].append(target)
    seen: set[Node] = set()
    frontier = [start]
    while frontier:
        for successor in successors[frontier.pop()]:
            if successor not in seen:
                seen.add(successor)
                frontier.append(successor)
    return seen


@dataclass(frozen=True, slots=True)
class Placed:
    column: int
    row: int


def layered_layout(
    columns: dict[Node, int], edges: list[tuple[Node, Node]], order: list[Node], sweeps: int = 4
) -> dict[Node, Placed]:
    """Rows within fixed columns, ordered by the barycentre of their neighbours to cut crossings."""
    by_column: dict[int, list[Node]] = defaultdict(list)
    for node in order:
        by_column[columns[node]].append(node)
    neighbours: dict[Node, list[Node]] = defaultdict(list)
    for source, target in edges:
        neighbours[source].append(target)
        neighbours[target].append(source)
    position = {node: index for nodes in by_column.values() for index, node in enumerate(nodes)}
    column_ids = sorted(by_column)
    for sweep in range(sweeps):
        sequence = column_ids if sweep % 2 == 0 else list(reversed(column_ids))
        for column in sequence:
            nodes = by_column[column]

            def barycentre(node: Node, nodes: list[Node] = nodes) -> float:
                linked = [position[other] for other in neighbours[node] if columns[other] != columns[node]]
                return sum(linked) / len(linked) if linked else float(nodes.index(node))

            nodes.sort(key=barycentre)
            for index, node in enumerate(nodes):
                position[node] = index
    return {node: Placed(columns[node], position[node]) for node in columns}
