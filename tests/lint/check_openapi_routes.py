#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails when the API's route table and docs/api/openapi.yaml disagree.

Usage: check_openapi_routes.py ROUTES_BINARY OPENAPI_YAML
ROUTES_BINARY prints one "METHOD /path/{param}" line per route (camguard_api_routes).
"""
import subprocess
import sys

import yaml

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def spec_routes(path):
    with open(path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    routes = set()
    for route_path, item in (spec.get("paths") or {}).items():
        for method in item:
            if method in HTTP_METHODS:
                routes.add(f"{method.upper()} {route_path}")
    return routes


def code_routes(binary):
    out = subprocess.run([binary], check=True, capture_output=True, text=True).stdout
    return {line.strip() for line in out.splitlines() if line.strip()}


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    code = code_routes(sys.argv[1])
    spec = spec_routes(sys.argv[2])
    ok = True
    for route in sorted(code - spec):
        print(f"route {route} is served but missing from {sys.argv[2]}")
        ok = False
    for route in sorted(spec - code):
        print(f"route {route} is in {sys.argv[2]} but not served")
        ok = False
    if ok:
        print(f"{len(code)} routes agree with the OpenAPI spec")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
