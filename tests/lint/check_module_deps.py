#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that includes between modules follow the table in docs/ARCHITECTURE.md.

The table has the header row `| module | may depend on |`; each row names a module in
backticks and its allowed dependencies as comma-separated backticked names, or `–` for none.
Fails (exit 1, one line per finding, file:line first) when
  * a file in src/<module>/ includes "<other>/..." and <other> is not an allowed dependency,
  * a folder under src/ has no row in the table, or a row names an unknown dependency,
  * the allowed dependencies form a cycle,
  * Boost.Beast is included outside src/net, Boost.Asio outside src/net and src/engine, or nlohmann/json outside src/api, src/app.
"""
import argparse
import os
import re
import sys

ARCHITECTURE = os.path.join("docs", "ARCHITECTURE.md")
SOURCE_SUFFIXES = (".h", ".hpp", ".cpp", ".cc", ".inl", ".ipp")
NONE_MARKS = {"–", "-", "—"}

QUOTED_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
ANY_INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
# Third-party headers confined to one or two modules: regex on the include path → modules.
CONFINED = [
    (re.compile(r"^boost/beast(\.hpp$|/)"), {"net"}, "Boost.Beast"),
    # The streaming engine drives camera sockets with plain Asio (no Beast, no TLS).
    (re.compile(r"^boost/asio(\.hpp$|/)"), {"net", "engine"}, "Boost.Asio"),
    (re.compile(r"^nlohmann/"), {"alerts", "api", "app", "mqtt"}, "nlohmann/json"),
]


class Finding(Exception):
    pass


def split_row(line):
    cells = line.strip().strip("|").split("|")
    return [cell.strip() for cell in cells]


def parse_names(cell, where):
    """`a`, `b` → ["a", "b"]; – → []; anything else is an error."""
    if cell in NONE_MARKS:
        return []
    names = []
    for part in cell.split(","):
        match = re.fullmatch(r"\s*`([a-z][a-z0-9_]*)`\s*", part)
        if not match:
            raise Finding(f"{where}: cannot read {cell!r}: expected `module`, `module` or –")
        names.append(match.group(1))
    return names


def read_table(root):
    """Returns {module: set(allowed deps)} and {module: line number}."""
    path = os.path.join(root, ARCHITECTURE)
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise Finding(f"{ARCHITECTURE}: cannot read: {e.strerror}")
    start = None
    for i, line in enumerate(lines):
        if line.lstrip().startswith("|") and [c.lower() for c in split_row(line)] == [
            "module",
            "may depend on",
        ]:
            start = i
            break
    if start is None:
        raise Finding(f"{ARCHITECTURE}: no table with the header | module | may depend on |")
    table, rows = {}, {}
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if not line.lstrip().startswith("|"):
            break
        cells = split_row(line)
        if all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue  # the |---|---| separator
        where = f"{ARCHITECTURE}:{i + 1}"
        if len(cells) != 2:
            raise Finding(f"{where}: expected 2 cells, found {len(cells)}")
        module = parse_names(cells[0], where)
        if len(module) != 1:
            raise Finding(f"{where}: the first cell must name exactly one module")
        if module[0] in table:
            raise Finding(f"{where}: module `{module[0]}` is listed twice")
        table[module[0]] = set(parse_names(cells[1], where))
        rows[module[0]] = i + 1
    if not table:
        raise Finding(f"{ARCHITECTURE}:{start + 1}: the module table is empty")
    return table, rows


def find_cycle(table):
    """Returns a list of modules forming a cycle, or None."""
    state = {}

    def visit(module, stack):
        state[module] = "active"
        stack.append(module)
        for dep in sorted(table.get(module, ())):
            if dep == module:
                continue
            if state.get(dep) == "active":
                return stack[stack.index(dep):] + [dep]
            if dep not in state:
                cycle = visit(dep, stack)
                if cycle:
                    return cycle
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(table):
        if module not in state:
            cycle = visit(module, [])
            if cycle:
                return cycle
    return None


def check(root):
    findings = []
    try:
        table, rows = read_table(root)
    except Finding as e:
        return [str(e)], 0
    src = os.path.join(root, "src")
    modules = sorted(
        d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)) and not d.startswith(".")
    ) if os.path.isdir(src) else []

    for module in modules:
        if module not in table:
            findings.append(
                f"src/{module}: module folder has no row in the table of {ARCHITECTURE}")
    for module in sorted(table):
        for dep in sorted(table[module]):
            if dep not in table:
                findings.append(
                    f"{ARCHITECTURE}:{rows[module]}: `{module}` may depend on `{dep}`, "
                    "which has no row of its own")
    cycle = find_cycle(table)
    if cycle:
        findings.append(f"{ARCHITECTURE}: dependency cycle: {' -> '.join(cycle)}")

    checked = 0
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            parts = rel.split("/")
            if len(parts) < 3:
                findings.append(f"{rel}: source file outside a module folder")
                continue
            own = parts[1]
            allowed = table.get(own, set())
            checked += 1
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, start=1):
                    match = QUOTED_INCLUDE.match(line)
                    if match and "/" in match.group(1):
                        target = match.group(1).split("/", 1)[0]
                        if target in modules and target != own and target not in allowed:
                            allowed_text = ", ".join(sorted(allowed)) or "nothing"
                            findings.append(
                                f"{rel}:{number}: module '{own}' must not include "
                                f"'{match.group(1)}' (it may depend on: {allowed_text})")
                    match = ANY_INCLUDE.match(line)
                    if match:
                        for pattern, owners, what in CONFINED:
                            if pattern.search(match.group(1)) and own not in owners:
                                findings.append(
                                    f"{rel}:{number}: {what} may only be included in "
                                    f"{', '.join('src/' + o for o in sorted(owners))}")
    return findings, checked


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_root = os.environ.get(
        "CAMGUARD_SOURCE_DIR",
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    parser.add_argument("--root", default=default_root, help="repository root")
    args = parser.parse_args()
    findings, checked = check(args.root)
    for finding in findings:
        print(finding)
    if findings:
        print(f"check_module_deps: {len(findings)} finding(s)", file=sys.stderr)
        return 1
    print(f"check_module_deps: {checked} files follow {ARCHITECTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
