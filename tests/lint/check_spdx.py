#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that every source, build and script file carries the SPDX licence line.

Covered: *.cpp *.h *.hpp *.cc *.inl *.py *.sh *.sql *.cmake, CMakeLists.txt, and files with a
shebang, under src/ tests/ scripts/ cmake/ .ci/, plus the top-level CMakeLists.txt. The line
must appear within the first three lines (after a shebang and/or a short comment is fine).
Fuzz corpora and test data are not source and are skipped.
"""
import argparse
import os
import sys

SPDX = "SPDX-License-Identifier: Apache-2.0"
DIRS = ("src", "tests", "scripts", "cmake", ".ci")
TOP_LEVEL = ("CMakeLists.txt",)
SUFFIXES = (".cpp", ".h", ".hpp", ".cc", ".inl", ".py", ".sh", ".sql", ".cmake")
SKIP_DIRS = {"corpus", "data", "node_modules", "__pycache__"}
HEAD_LINES = 3


def wanted(path, name):
    if name == "CMakeLists.txt" or name.endswith(SUFFIXES):
        return True
    if "." in name:
        return False
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return False


def has_spdx(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for _ in range(HEAD_LINES):
            line = f.readline()
            if not line:
                break
            if SPDX in line:
                return True
    return False


def check(root):
    candidates = [os.path.join(root, name) for name in TOP_LEVEL]
    for top in DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            candidates += [os.path.join(dirpath, n) for n in sorted(filenames)]
    missing, checked = [], 0
    for path in candidates:
        if not os.path.isfile(path) or not wanted(path, os.path.basename(path)):
            continue
        checked += 1
        if not has_spdx(path):
            missing.append(os.path.relpath(path, root))
    return missing, checked


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_root = os.environ.get(
        "CAMGUARD_SOURCE_DIR",
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    parser.add_argument("--root", default=default_root, help="repository root")
    args = parser.parse_args()
    missing, checked = check(args.root)
    for path in missing:
        print(f"{path}:1: missing '{SPDX}' in the first {HEAD_LINES} lines")
    if missing:
        print(f"check_spdx: {len(missing)} of {checked} files lack the SPDX line", file=sys.stderr)
        return 1
    print(f"check_spdx: {checked} files carry the SPDX line")
    return 0


if __name__ == "__main__":
    sys.exit(main())
