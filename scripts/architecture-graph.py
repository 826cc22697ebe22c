#!/usr/bin/env python3
"""The module graph of Package.swift, checked and drawn.

Usage: scripts/architecture-graph.py [--check]

Reads the package (`swift package describe --type json`) and the imports of Sources/, then:
- refuses a layering violation: a foundation module that imports a domain module or an
  executable, or a domain module that imports an executable;
- refuses a declared dependency on a package target that the module never imports (the build's
  --explicit-target-dependency-import-check refuses the opposite, an undeclared import of a
  package target), so that Package.swift states the real graph, no more and no less;
- refuses an import of another package's module that the target does not declare as a product
  dependency (such a module is importable because a declared one depends on it, which the build
  does not catch);
- writes the graph between the `<!-- module-graph -->` markers of docs/ARCHITECTURE.md, or with
  --check, fails when what is there is not what this script would write.
"""

import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(REPO, "docs", "ARCHITECTURE.md")
BEGIN, END = "<!-- module-graph -->", "<!-- /module-graph -->"

# The layers, as Package.swift groups its targets.
FOUNDATION = ["ADTWire", "Observability", "PostgresSupport", "CCurl", "CCurlShims", "HTTPTransport", "HTTPServerSetup"]
EXECUTABLES = ["twins", "twins-bench", "MigrationEmbedder"]
# Modules of the toolchain itself, which no Package.swift declares.
TOOLCHAIN = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Musl", "Darwin", "Dispatch",
             "Synchronization", "Testing", "XCTest", "PackagePlugin", "_Concurrency", "RegexBuilder", "Observation"}
IMPORT = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*import\s+(?:(?:class|struct|enum|func|var|let|protocol|typealias)\s+)?(\w+)")


def describe():
    out = subprocess.run(["swift", "package", "describe", "--type", "json"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out[out.index("{"):])


def imports_of(path, names=None):
    found = set()
    for root, _, files in os.walk(path):
        for name in files:
            if name.endswith(".swift"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    for line in f:
                        m = IMPORT.match(line)
                        if m and (names is None or m.group(1) in names):
                            found.add(m.group(1))
    return found


def layer(name):
    if name in FOUNDATION:
        return "foundation"
    if name in EXECUTABLES:
        return "executables"
    return "domain"


def render(modules):
    order = FOUNDATION + sorted(n for n in modules if layer(n) == "domain") + EXECUTABLES
    order = [n for n in order if n in modules]
    lines = [BEGIN, "```mermaid", "graph TD"]
    for group in ("foundation", "domain", "executables"):
        lines.append("    subgraph %s" % group)
        for name in order:
            if layer(name) == group:
                lines.append("        %s[%s]" % (name.replace("-", "_"), name))
        lines.append("    end")
    for name in order:
        for dep in modules[name]["packageTargets"]:
            if dep != "ADTWire":
                lines.append("    %s --> %s" % (name.replace("-", "_"), dep.replace("-", "_")))
    lines += ["```", "", "Every module and what it imports (package targets; external packages after `+`). The",
              "drawing leaves out the arrows to `ADTWire`, which most modules import.", "", "```"]
    width = max(len(n) for n in order) + 2
    for name in order:
        ours = ", ".join(modules[name]["packageTargets"]) or "-"
        theirs = ", ".join(modules[name]["products"])
        text = "%-12s %-*s %s" % (layer(name), width, name, ours)
        if theirs:
            text += "  + " + theirs
        lines.append(text.rstrip())
    lines += ["```", END]
    return "\n".join(lines)


def main(argv):
    package = describe()
    names = {t["name"] for t in package["targets"]}
    problems = []
    modules = {}
    for target in package["targets"]:
        name, path = target["name"], target.get("path", "")
        if target.get("module_type") == "SwiftTarget" and target["type"] != "plugin":
            products = set(target.get("product_dependencies") or [])
            for module in sorted(imports_of(os.path.join(REPO, path)) - names - TOOLCHAIN - products):
                problems.append("%s imports %s without declaring its product in Package.swift" % (name, module))
        if not path.startswith("Sources/"):
            continue
        declared = [d for d in target.get("target_dependencies") or [] if d in names
                    and next(t for t in package["targets"] if t["name"] == d)["type"] != "plugin"]
        if target.get("module_type") == "SwiftTarget":
            imported = imports_of(os.path.join(REPO, path), names)
            for dep in declared:
                if dep not in imported and not dep.startswith("CCurl"):
                    problems.append("%s declares %s but never imports it" % (name, dep))
        for dep in declared:
            rank = {"foundation": 0, "domain": 1, "executables": 2}
            if rank[layer(dep)] > rank[layer(name)]:
                problems.append("%s (%s) must not depend on %s (%s)" % (name, layer(name), dep, layer(dep)))
        modules[name] = {"packageTargets": declared, "products": target.get("product_dependencies") or []}
    for p in problems:
        sys.stderr.write("error: %s\n" % p)
    graph = render(modules)
    with open(DOC, encoding="utf-8") as f:
        doc = f.read()
    start, end = doc.index(BEGIN), doc.index(END) + len(END)
    if "--check" in argv:
        if doc[start:end] != graph:
            sys.stderr.write("error: the module graph in docs/ARCHITECTURE.md is not Package.swift's; "
                             "run scripts/architecture-graph.py\n")
            problems.append("graph")
    else:
        with open(DOC, "w", encoding="utf-8") as f:
            f.write(doc[:start] + graph + doc[end:])
    if not problems:
        print("module graph: %d modules, layers kept, docs/ARCHITECTURE.md matches Package.swift" % len(modules))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
