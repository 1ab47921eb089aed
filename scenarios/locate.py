"""Find the line of a key path in TOML text, so error messages can point at it.

``tomllib`` returns plain data without positions. Scenario files are written by people in the
ordinary TOML layout (tables, arrays of tables, ``key = value`` lines, small inline tables), so
a line scanner that tracks the current table is enough to place a key path such as
``("interventions", 2, "effects", "skill")`` on its line. When the exact key cannot be found,
the line of the nearest enclosing table is returned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\.\"' ]+?)\s*=")


def _split_key(text: str) -> tuple[str, ...]:
    """Split a dotted TOML key, dropping quotes and spaces around parts."""
    return tuple(part.strip().strip("\"'") for part in text.split("."))


def _table_paths(lines: list[str]) -> list[tuple[int, tuple[object, ...]]]:
    """The start line (1-based) and full path (with array indices) of every table header."""
    counts: dict[tuple[str, ...], int] = {}
    out: list[tuple[int, tuple[object, ...]]] = []
    for number, line in enumerate(lines, start=1):
        m = _HEADER.match(line)
        if not m:
            continue
        names = _split_key(m.group(2))
        path: list[object] = []
        # Resolve array indices of enclosing arrays of tables (the latest element of each).
        for depth in range(1, len(names) + 1):
            prefix = names[:depth]
            path.append(prefix[-1])
            is_last = depth == len(names)
            if is_last and m.group(1) == "[[":
                counts[prefix] = counts.get(prefix, -1) + 1
                path.append(counts[prefix])
            elif not is_last and prefix in counts:
                path.append(counts[prefix])
        if m.group(1) == "[[":
            # A new array element resets the counts of arrays nested inside the previous one.
            for key in [k for k in counts if len(k) > len(names) and k[: len(names)] == names]:
                del counts[key]
        out.append((number, tuple(path)))
    return out


def locate(text: str, path: Sequence[object]) -> int | None:
    """Line number (1-based) where ``path`` is defined in TOML ``text``, if it can be found.

    Parameters
    ----------
    text
        The TOML document.
    path
        Key path as in pydantic error locations: names and list indices.

    Returns
    -------
    int or None
        The line of the key itself, else of its nearest enclosing table, else ``None``.
    """
    lines = text.splitlines()
    target = tuple(path)
    headers = _table_paths(lines)
    best_line: int | None = None
    best_len = -1
    # Table headers that are a prefix of the target, and keys within them.
    bounds = [*(line for line, _ in headers), len(lines) + 1]
    sections: list[tuple[int, int, tuple[object, ...]]] = [(1, bounds[0], ())]
    for (line, tpath), end in zip(headers, bounds[1:], strict=True):
        sections.append((line, end, tpath))
    for start, end, tpath in sections:
        if target[: len(tpath)] != tpath:
            continue
        if len(tpath) > best_len and tpath:
            best_line, best_len = start, len(tpath)
        rest = target[len(tpath) :]
        if not rest:
            continue
        for number in range(start + (1 if tpath else 0), end):
            m = _KEY.match(lines[number - 1])
            if not m or _HEADER.match(lines[number - 1]):
                continue
            key = _split_key(m.group(1))
            common = 0
            for a, b in zip(key, rest, strict=False):
                if a != b:
                    break
                common += 1
            # A key line covers the path when it is the path itself, or a prefix of it whose
            # value (an inline table or array) holds the rest.
            if common == len(key) and len(tpath) + common > best_len:
                best_line, best_len = number, len(tpath) + common
    return best_line
