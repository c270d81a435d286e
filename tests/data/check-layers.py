#!/usr/bin/env python3
"""The arrows between the layers that must never be, checked on the sources and the build.

  check-layers.py SOURCE_ROOT BUILD_ROOT

Sources: what each folder of app/core may include from the others (the concerns' order below),
no GTK anywhere in app/core, SANE only in the scanner's SANE backend and the scan helper, and the
server including nothing of core but common, catalogue and the materials check (an upload is
refused exactly as the assistant refuses it). Build: the server links none of the key, the API
client, scanner or documents libraries and needs none of their system libraries (cairo alone
draws its captcha); only the scan helper links SANE; no core object is compiled against GTK.
Prints TAP; each failure names the file and the line.
"""
import os
import re
import shlex
import subprocess
import sys

src, build = sys.argv[1], sys.argv[2]
core = os.path.join(src, "app", "core")

# Which concern may use which: an arrow not listed here is forbidden
ALLOWED = {
    "common": set(),
    "catalogue": {"common"},
    "materials": {"common", "catalogue"},
    "draft": {"common", "catalogue", "materials"},
    "key": {"common"},
    "scanner": {"common", "materials"},
    "api-client": {"common", "draft", "materials"},
    "documents": {"common", "catalogue", "draft"},
    "diagnostics": {"common", "key", "scanner", "api-client"},
}
SERVER_ALLOWED = {"common", "catalogue"}
# …and of materials only its check (with the image header it reports)
SERVER_ALLOWED_HEADERS = {"ek-material-check.h"}
GUI_INCLUDES = re.compile(r'#\s*include\s*<(gtk|gdk|gsk|adwaita|libadwaita)[/.]')
SANE_INCLUDES = re.compile(r'#\s*include\s*<sane/')
LOCAL_INCLUDE = re.compile(r'#\s*include\s*"([^"]+)"')
SANE_HOMES = {os.path.join("app", "core", "scanner", "ek-scanner-sane.c"),
              os.path.join("app", "core", "scanner", "ek-scanner-sane.h")}

results = []


def check(name, problems):
    results.append((name, problems))


def sources(folder):
    for root, _dirs, files in os.walk(folder):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(root, f)


# Header name -> the concern that owns it
owner = {}
for concern in ALLOWED:
    for path in sources(os.path.join(core, concern)):
        owner[os.path.basename(path)] = concern


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            yield number, line


def rel(path):
    return os.path.relpath(path, src)


# 1. Every core folder is a concern this test knows, so a new one gets its arrows written down
folders = sorted(d for d in os.listdir(core) if os.path.isdir(os.path.join(core, d)))
check("every folder of app/core has its allowed arrows listed",
      ["app/core/%s is not in check-layers.py's ALLOWED" % d for d in folders if d not in ALLOWED])

# 2. Core concerns include only what their arrows allow, and never GTK or SANE
problems = []
for concern, allowed in sorted(ALLOWED.items()):
    for path in sources(os.path.join(core, concern)):
        for number, line in includes(path):
            if GUI_INCLUDES.search(line):
                problems.append("%s:%d includes GTK: %s" % (rel(path), number, line.strip()))
            if SANE_INCLUDES.search(line) and rel(path) not in SANE_HOMES:
                problems.append("%s:%d includes SANE outside the scanner's SANE backend"
                                % (rel(path), number))
            m = LOCAL_INCLUDE.search(line)
            if m:
                other = owner.get(os.path.basename(m.group(1)))
                if other and other != concern and other not in allowed:
                    problems.append("%s:%d: %s may not use %s (%s)"
                                    % (rel(path), number, concern, other, m.group(1)))
check("app/core: each concern includes only what it may, no GTK, no SANE", problems)

# 3. The server includes only common and catalogue of core; nobody but the helper includes SANE
problems = []
for path in sources(os.path.join(src, "app", "server")):
    for number, line in includes(path):
        m = LOCAL_INCLUDE.search(line)
        if m:
            other = owner.get(os.path.basename(m.group(1)))
            if other and other not in SERVER_ALLOWED and os.path.basename(m.group(1)) not in SERVER_ALLOWED_HEADERS:
                problems.append("%s:%d: the server may not use core/%s (%s)"
                                % (rel(path), number, other, m.group(1)))
        if GUI_INCLUDES.search(line) or SANE_INCLUDES.search(line):
            problems.append("%s:%d: %s" % (rel(path), number, line.strip()))
for folder in ("gui", "cli"):
    for path in sources(os.path.join(src, "app", folder)):
        for number, line in includes(path):
            if SANE_INCLUDES.search(line):
                problems.append("%s:%d includes SANE outside the scan helper" % (rel(path), number))
check("app/server uses only core/common, core/catalogue and the materials check; SANE only in the scan helper", problems)

# 4. The build: link lines and compile flags as ninja will run them
with open(os.path.join(build, "build.ninja"), encoding="utf-8") as f:
    ninja = f.read()

links = {}
compiles = {}
statement = None
for line in ninja.splitlines():
    if line.startswith("build "):
        head = line[len("build "):]
        outputs, _, rest = head.partition(": ")
        rule, *inputs = rest.replace("|", " ").split()
        statement = (outputs.split()[0], rule)
        if rule.endswith("_LINKER") and not rule.endswith("STATIC_LINKER"):
            links[statement[0]] = inputs
        elif rule.endswith("_COMPILER"):
            compiles[statement[0]] = ""
    elif line.startswith(" ARGS = ") and statement and statement[0] in compiles:
        compiles[statement[0]] = line


def linked(target):
    for out, inputs in links.items():
        if out == target:
            return " ".join(inputs)
    return None


problems = []
server = linked("app/server/ekey-registry")
if server is None:
    problems.append("no link line for app/server/ekey-registry in build.ninja")
else:
    for lib in ("libekkey.a", "libekapiclient.a", "libekdocuments.a", "libekscanner.a",
                "libekscannersane.a", "libekdraft.a", "libekeygui.a",
                "libp11-kit", "libcurl", "libgtk-4", "libsane", "libpango"):
        if lib in server:
            problems.append("ekey-registry links %s" % lib)
for out, inputs in sorted(links.items()):
    joined = " ".join(inputs)
    if ("libsane" in joined or "libekscannersane.a" in joined) and \
            not out.endswith("ekey-scan-helper") and "/tests/" not in "/" + out:
        problems.append("%s links SANE" % out)
for out, args in sorted(compiles.items()):
    if out.startswith("app/core/") and re.search(r"gtk-4\.0|/gdk|libadwaita", args):
        problems.append("%s is compiled against GTK" % out)
check("build: the server links only common, catalogue and materials (and cairo); only the scan helper links SANE; "
      "no core object sees GTK", problems)

print("1..%d" % len(results))
failed = 0
for i, (name, problems) in enumerate(results, 1):
    if problems:
        failed += 1
        print("not ok %d - %s" % (i, name))
        for p in problems:
            print("# %s" % p)
    else:
        print("ok %d - %s" % (i, name))
sys.exit(1 if failed else 0)
