#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails when docs/configuration.md's example differs from `camguard example-config`.

Usage: check_config_doc.py CAMGUARD_BINARY DOC
"""
import subprocess
import sys


def main():
    binary, doc = sys.argv[1], sys.argv[2]
    printed = subprocess.run([binary, "example-config"], check=True, capture_output=True, text=True).stdout
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    start = text.find("```toml\n")
    end = text.find("```", start + 8)
    if start < 0 or end < 0:
        print(f"{doc} has no ```toml block")
        return 1
    documented = text[start + 8:end]
    if documented != printed:
        print(f"{doc} is out of date; regenerate its example with `camguard example-config`")
        return 1
    print("configuration example is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
