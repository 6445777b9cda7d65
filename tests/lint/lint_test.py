#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of the repository lints: each builds a small fake tree in a temporary directory and
runs the real script on it, expecting success on a clean tree and a failure naming the file
and line for each kind of violation."""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SPDX_CPP = "// SPDX-License-Identifier: Apache-2.0\n"

ARCHITECTURE = textwrap.dedent("""\
    # Architecture

    | module | may depend on |
    |---|---|
    | `base` | – |
    | `net` | `base` |
    | `api` | `base`, `net` |
    | `engine` | `base` |
    """)


class FakeTree:
    def __init__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="camguard-lint-test-")
        self.root = self._dir.name
        self.write("docs/ARCHITECTURE.md", ARCHITECTURE)
        self.write("CMakeLists.txt", "# SPDX-License-Identifier: Apache-2.0\n")
        self.write("src/base/result.h", SPDX_CPP + "#pragma once\n#include <string>\n")
        self.write("src/net/server.cpp",
                   SPDX_CPP + '#include "base/result.h"\n#include <boost/asio.hpp>\n'
                   "#include <boost/beast/http.hpp>\n")
        self.write("src/api/handler.cpp",
                   SPDX_CPP + '#include "net/server.h"\n#include "api/handler.h"\n'
                   "#include <nlohmann/json.hpp>\n")

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def run(self, script):
        return subprocess.run([sys.executable, os.path.join(HERE, script), "--root", self.root],
                              capture_output=True, text=True, check=False)

    def close(self):
        self._dir.cleanup()


class ModuleDepsTest(unittest.TestCase):
    def setUp(self):
        self.tree = FakeTree()

    def tearDown(self):
        self.tree.close()

    def assertFails(self, *expected):
        result = self.tree.run("check_module_deps.py")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        for text in expected:
            self.assertIn(text, result.stdout)

    def test_clean_tree_passes(self):
        result = self.tree.run("check_module_deps.py")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_include_of_a_module_not_allowed_names_file_and_line(self):
        self.tree.write("src/net/client.cpp",
                        SPDX_CPP + "#include <string>\n" + '#include "api/handler.h"\n')
        self.assertFails("src/net/client.cpp:3: module 'net' must not include 'api/handler.h'")

    def test_upward_include_into_base_fails(self):
        self.tree.write("src/base/strings.cpp", SPDX_CPP + '  #  include "net/server.h"\n')
        self.assertFails("src/base/strings.cpp:2:", "(it may depend on: nothing)")

    def test_commented_include_is_ignored(self):
        self.tree.write("src/base/strings.cpp", SPDX_CPP + '// #include "net/server.h"\n')
        result = self.tree.run("check_module_deps.py")
        self.assertEqual(result.returncode, 0, result.stdout)

    def test_module_folder_missing_from_table_fails(self):
        self.tree.write("src/cameras/camera.cpp", SPDX_CPP)
        self.assertFails("src/cameras: module folder has no row")

    def test_unknown_dependency_in_table_fails(self):
        self.tree.write("docs/ARCHITECTURE.md", ARCHITECTURE + "| `extra` | `bsae` |\n")
        self.assertFails("`extra` may depend on `bsae`, which has no row of its own")

    def test_cycle_in_table_fails(self):
        self.tree.write("docs/ARCHITECTURE.md",
                        ARCHITECTURE.replace("| `base` | – |", "| `base` | `api` |"))
        self.assertFails("dependency cycle")

    def test_missing_table_fails(self):
        self.tree.write("docs/ARCHITECTURE.md", "# Architecture\n\nNo table yet.\n")
        self.assertFails("no table with the header")

    def test_unreadable_cell_fails(self):
        self.tree.write("docs/ARCHITECTURE.md", ARCHITECTURE + "| `app` | everything |\n")
        self.assertFails("cannot read 'everything'")

    def test_missing_architecture_file_fails(self):
        os.remove(os.path.join(self.tree.root, "docs/ARCHITECTURE.md"))
        self.assertFails("docs/ARCHITECTURE.md: cannot read")

    def test_boost_asio_outside_net_fails(self):
        self.tree.write("src/api/io.h", SPDX_CPP + "#include <boost/asio/ip/tcp.hpp>\n")
        self.assertFails("src/api/io.h:2: Boost.Asio may only be included in src/engine, src/net")

    def test_boost_beast_outside_net_fails(self):
        self.tree.write("src/base/x.cpp", SPDX_CPP + '#include "boost/beast.hpp"\n')
        self.assertFails("src/base/x.cpp:2: Boost.Beast may only be included in src/net")

    def test_boost_asio_in_engine_passes(self):
        self.tree.write("src/engine/io.cpp", SPDX_CPP + "#include <boost/asio/ip/tcp.hpp>\n")
        self.test_clean_tree_passes()

    def test_other_boost_libraries_are_not_confined(self):
        self.tree.write("src/base/x.cpp", SPDX_CPP + "#include <boost/url.hpp>\n")
        result = self.tree.run("check_module_deps.py")
        self.assertEqual(result.returncode, 0, result.stdout)

    def test_nlohmann_outside_api_and_app_fails(self):
        self.tree.write("src/net/json.cpp", SPDX_CPP + "#include <nlohmann/json_fwd.hpp>\n")
        self.assertFails("src/net/json.cpp:2: nlohmann/json may only be included in src/alerts, "
                         "src/api, src/app, src/mqtt")


class SpdxTest(unittest.TestCase):
    def setUp(self):
        self.tree = FakeTree()

    def tearDown(self):
        self.tree.close()

    def test_clean_tree_passes(self):
        self.tree.write("scripts/tool", "#!/bin/bash\n# SPDX-License-Identifier: Apache-2.0\n")
        self.tree.write("src/store/migrations/0001_x.sql", "-- SPDX-License-Identifier: Apache-2.0\n")
        self.tree.write("tests/fuzz/corpus/x_fuzz/0123abcd", "#!no licence in corpus data\n")
        self.tree.write("tests/README.md", "no licence needed in docs\n")
        result = self.tree.run("check_spdx.py")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def assertMissing(self, rel, text):
        self.tree.write(rel, text)
        result = self.tree.run("check_spdx.py")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn(rel + ":1: missing", result.stdout)

    def test_cpp_without_spdx_fails(self):
        self.assertMissing("src/base/strings.cpp", "#include <string>\n")

    def test_spdx_after_line_three_fails(self):
        self.assertMissing("src/base/late.h", "\n\n\n" + SPDX_CPP)

    def test_cmakelists_without_spdx_fails(self):
        self.assertMissing("tests/lint/CMakeLists.txt", "add_test(NAME x COMMAND y)\n")

    def test_python_and_shell_without_spdx_fail(self):
        self.assertMissing("tests/lint/tool.py", "print('hi')\n")

    def test_shell_script_without_extension_fails(self):
        self.assertMissing("scripts/run-thing", "#!/usr/bin/env bash\necho hi\n")

    def test_sql_without_spdx_fails(self):
        self.assertMissing("src/store/migrations/0002_y.sql", "CREATE TABLE t(x);\n")


if __name__ == "__main__":
    unittest.main(verbosity=1)
