#!/usr/bin/env python3
"""Checks the command line of our binary against upstream's, as measured in
../shared/reference/upstream-cli.md (the tables of section 5: mudler/luet `luet`, geaaru/luet
`luet`, geaaru/luet `luet-build`, and the cobra built-ins listed under each table).

For every upstream command, `BIN PATH --help` must exit 0 and print "Usage: BIN PATH"; every
alias must reach the same command; every flag must be an option of that command or a global
option (ours, like cobra's persistent flags, takes globals after the command), under the same
long name and with upstream's short form bound to the same option.

What ours deliberately lacks is in EXCEPTIONS, with the reason. Flags that ours accepts
without effect are in ACCEPTED_ONLY, with the reason; the check also requires their --help
text to say so ("accepted", what "ours" does, or "always"), so a user reading --help learns
it too. HIDDEN lists flags ours accepts without showing them in --help (upstream hides them
too); REFUSED lists flags that exist but are refused when given ("not supported" in
--help); PENDING lists what another branch being merged brings. An EXCEPTIONS entry that is no
longer needed fails the check, so the list stays true.

Usage: cli_surface.py REFERENCE.md LUET LUET_BUILD
Prints the counts and every gap; exits 1 when a command, alias or flag is neither present
nor excepted (or an ACCEPTED_ONLY flag's help does not say so).
"""
import re
import subprocess
import sys

# (binary, command path, flag or alias or None) -> why ours does not have it.
# The command path is the words after the binary name ("tree render"); the third item is a
# long flag ("--foo"), "alias:X" for an alias, or None for the command itself.
EXCEPTIONS = {
    # cobra resolves `luet i` to install, which is registered first: upstream's own alias of
    # oscheck never reaches it either.
    ("luet", "oscheck", "alias:i"): "shadowed by install's alias i upstream too",
}

# Items another branch brings (being merged): neither a gap while missing nor a stale
# exception once present. Drop an entry when that branch is in.
PENDING = {}

# (binary, command path, long flag) -> why the flag is accepted and changes nothing (path ""
# for a global flag). Its --help line must say so: "accepted", or what "ours" does, or that
# the behaviour is "always" on.
_SOLVER = "ours always solves with libsolv (no qlearning, no concurrent solver)"
_ESSENTIALS = "always on in ours: no package may write into luet's own database folder"
_CHECK_SYSTEM = "ours never refuses a file no package owns, so there is no check to skip"
ACCEPTED_ONLY = {
    ("luet", "", "--solver-type"): _SOLVER,
    ("luet", "", "--solver-rate"): _SOLVER,
    ("luet", "", "--solver-discount"): _SOLVER,
    ("luet", "", "--solver-attempts"): _SOLVER,
    ("luet", "", "--color"): "ours prints no colour codes either way",
    ("luet", "", "--live-output"): "ours always shows the build output",
    ("luet-build", "", "--color"): "ours prints no colour codes either way",
    ("luet-build", "build", "--live-output"): "ours always shows the build output",
    ("luet", "build", "--wait"): "ours builds each image once, after what it needs",
    ("luet", "build", "--nodeps"): "ours builds the deps a target needs, or reuses them from the build cache (--pull)",
    ("luet", "build", "--solver-concurrent"): _SOLVER,
    ("luet", "build", "--dockerfiles"): "ours reads packages from definition.yaml and collection.yaml only",
    ("luet-build", "build", "--wait"): "ours builds each image once, after what it needs",
    ("luet-build", "build", "--nodeps"): "ours builds the deps a target needs, or reuses them from the build cache",
    ("luet-build", "build", "--solver-concurrent"): _SOLVER,
    ("luet", "create-repo", "--backend"): "ours pushes docker repositories with its own registry client, no engine",
    ("luet", "create-repo", "--dockerfiles"): "ours reads packages from definition.yaml and collection.yaml only",
    ("luet-build", "create-repo", "--backend"): "ours pushes docker repositories with its own registry client",
    ("luet", "install", "--solver-concurrent"): _SOLVER,
    ("luet", "install", "--skip-check-system"): _CHECK_SYSTEM,
    ("luet", "install", "--preserve-system-essentials"): _ESSENTIALS,
    ("luet", "install", "--overwrite-existing-dir-perms"): "ours keeps the modes of folders that exist",
    ("luet", "uninstall", "--solver-concurrent"): _SOLVER,
    ("luet", "uninstall", "--conflictscheck"): "always on in ours unless --nodeps or --force",
    ("luet", "uninstall", "--preserve-system-essentials"): _ESSENTIALS,
    ("luet", "upgrade", "--solver-concurrent"): _SOLVER,
    ("luet", "upgrade", "--skip-check-system"): _CHECK_SYSTEM,
    ("luet", "upgrade", "--preserve-system-essentials"): _ESSENTIALS,
    ("luet", "upgrade", "--sync"): "always on in ours: +N revisions are newer versions",
    ("luet", "upgrade", "--clean"): "mudler's experimental option; ours keeps packages no repository has",
    ("luet", "reinstall", "--onlydeps"): "ours reinstalls exactly the packages named",
    ("luet", "oscheck", "--onlydeps"): "the reinstall of broken packages takes no deps",
    ("luet", "oscheck", "--force"): "always on: the missing files are the package's",
    ("luet", "oscheck", "--download-only"): "the check downloads nothing",
    ("luet", "miner reinstall-package", "--preserve-system-essentials"): _ESSENTIALS,
    ("luet", "miner install-package", "--check-conflicts"): "ours always checks file conflicts, unless --force",
    ("luet", "miner remove-package", "--force"): "always: miner ignores dependencies",
    ("luet", "miner remove-package", "--preserve-system-essentials"): _ESSENTIALS,
    ("luet", "miner replace-package", "--preserve-system-essentials"): _ESSENTIALS,
    ("luet", "miner replace-package", "--skip-check-system"): _CHECK_SYSTEM,
    ("luet", "tree images", "--pull-repository"): "upstream names the images from --image-repository only, too",
    ("luet-build", "tree images", "--pull-repository"): "upstream names the images from --image-repository only, too",
    ("luet", "completion bash", "--no-descriptions"): "the bash script has no descriptions",
    ("luet", "completion zsh", "--no-descriptions"): "the zsh script (bash's through bashcompinit) has none",
    ("luet-build", "completion bash", "--no-descriptions"): "the bash script has no descriptions",
    ("luet-build", "completion zsh", "--no-descriptions"): "the zsh script has none",
}

ACCEPTED_ONLY.update({
    ("luet", "", "--system-engine"): "ours always uses SQLite; boltdb and memory mean the same",
    ("luet-build", "", "--system-engine"): "ours always uses SQLite; boltdb and memory mean the same",
    ("luet", "", "--same-owner"): "ours keeps the archive's numeric owners when run as root",
    ("luet-build", "", "--same-owner"): "ours keeps the archive's numeric owners when run as root",
    ("luet", "util unpack", "--auth-type"): "basic or bearer is negotiated with the registry",
    ("luet", "util unpack", "--auth-server-address"): "the registry's own token server is used",
    ("luet", "util unpack", "--verify"): "a no-op upstream too, kept for compatibility",
})

# (binary, command path, long flag) -> why ours refuses the flag when it is given (it exists,
# so scripts that merely pass it empty keep working); its --help says "not supported".
REFUSED = {
    ("luet", "util unpack", "--auth-identity-token"): "ours reads registry credentials from docker's config.json",
    ("luet", "util unpack", "--auth-registry-token"): "ours reads registry credentials from docker's config.json",
}

# (binary, command path, long flag) -> why ours accepts it without listing it in --help.
HIDDEN = {
    ("luet", "upgrade", "--full"): "deprecated upstream (MarkDeprecated: hidden and ignored); accepted, hidden",
}
ACCEPTED_WORDS = re.compile(r"accepted|\bours\b|always|not used|retained for compatibility", re.I)

SECTION_BINARIES = {"A": "luet", "B": "luet", "C": "luet-build"}


def parse_reference(path):
    """Returns (globals, commands): globals is {(binary, flag): short}; commands is a list of
    dicts {binary, path, aliases, flags: {long: short}, table}."""
    globals_, commands = {}, []
    table = binary = None
    mode = None
    current = None
    cmd_row = re.compile(r"^\| `(luet(?:-build)?) ([^`]+)`(?: \(([^)]*)\))?(?: \*hidden\*)? \| — \|")
    flag_row = re.compile(r"^\| \| `(--[\w-]+)` \| *(?:`(-\w)`)? *\|")
    global_row = re.compile(r"^\| `(--[\w-]+)` \| *(?:`(-\w)`)? *\|")
    builtin = re.compile(r"`(luet(?:-build)?) ([a-z ]+)`(?: \(`(--[\w-]+)`\))?")
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^### ([A-Z])\. (.*)", line)
            if m:
                table = m.group(1) + ". " + m.group(2).strip()
                binary = SECTION_BINARIES.get(m.group(1))
                mode = None
                continue
            if line.startswith("## ") or binary is None:
                if line.startswith("## "):
                    binary = None
                continue
            if line.startswith("#### Global"):
                mode = "global"
                continue
            if line.startswith("#### Commands"):
                mode = "commands"
                continue
            if line.startswith("Cobra built-ins"):
                for b, words, flag in builtin.findall(line):
                    words = words.strip()
                    existing = next((c for c in commands if c["binary"] == b and c["path"] == words
                                     and c["table"] == table), None)
                    if existing is None:
                        existing = {"binary": b, "path": words, "aliases": [], "flags": {}, "table": table}
                        commands.append(existing)
                    if flag:
                        existing["flags"][flag] = None
                continue
            if mode == "global":
                m = global_row.match(line)
                if m:
                    globals_[(binary, m.group(1))] = m.group(2)
            elif mode == "commands":
                m = cmd_row.match(line)
                if m:
                    aliases = [a.strip() for a in (m.group(3) or "").split(",") if a.strip()]
                    current = {"binary": m.group(1), "path": m.group(2).strip(), "aliases": aliases,
                               "flags": {}, "table": table}
                    commands.append(current)
                    continue
                m = flag_row.match(line)
                if m and current is not None:
                    current["flags"][m.group(1)] = m.group(2)
    return globals_, commands


class Help:
    """The --help of one command of ours: usage line and options {name: (long names, help)}."""

    def __init__(self, argv):
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
        self.ok = p.returncode == 0
        self.text = p.stdout
        self.usage = next((l for l in self.text.splitlines() if l.startswith("Usage:")), "")
        # name -> the option line's names (so that "-t" maps to "--tree") and its help text.
        self.options = {}
        section = None
        last = None
        for line in self.text.splitlines():
            if re.match(r"^\S.*:$", line):
                section = line[:-1]
                last = None
                continue
            if section != "Options":
                continue
            m = re.match(r"^  (-[^ ]+)(?: +(.*))?$", line)
            if m:
                names = []
                for n in m.group(1).split(","):
                    n = n.split("=", 1)[0]
                    if n.startswith("-"):
                        names.append(n)
                entry = {"names": names, "help": m.group(2) or ""}
                for n in names:
                    self.options[n] = entry
                last = entry
            elif last is not None and line.startswith("    "):
                last["help"] += " " + line.strip()


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    reference, bins = sys.argv[1], {"luet": sys.argv[2], "luet-build": sys.argv[3]}
    globals_, commands = parse_reference(reference)
    if not commands or not globals_:
        print(f"FAIL: no command tables found in {reference}")
        return 1
    cache = {}

    def help_of(binary, words):
        key = (binary, tuple(words))
        if key not in cache:
            cache[key] = Help([bins[binary]] + list(words) + ["--help"])
        return cache[key]

    gaps, excepted_used, accepted_bad, pending = [], set(), [], []
    counts = {}  # table -> [cmd_ok, cmd_total, flag_ok, flag_total]

    def check_accepted(binary, path, flag, opt):
        reason = ACCEPTED_ONLY.get((binary, path, flag))
        if reason and not ACCEPTED_WORDS.search(opt["help"]):
            accepted_bad.append(f"{binary} {path} {flag}: listed as accepted-only ({reason}) "
                                f"but its help does not say so: {opt['help']!r}")
        reason = REFUSED.get((binary, path, flag))
        if reason and "not supported" not in opt["help"]:
            accepted_bad.append(f"{binary} {path} {flag}: listed as refused ({reason}) "
                                f"but its help does not say so: {opt['help']!r}")

    def excepted(key):
        if key in EXCEPTIONS:
            excepted_used.add(key)
            return True
        return False

    for (binary, flag), short in sorted(globals_.items()):
        root = help_of(binary, [])
        opt = root.options.get(flag)
        c = counts.setdefault(("globals", binary), [0, 0])
        c[1] += 1
        if opt and (not short or short in opt["names"]):
            c[0] += 1
            check_accepted(binary, "", flag, opt)
        elif excepted((binary, "", flag)):
            pass
        else:
            gaps.append(f"{binary}: global {flag}" + (f"/{short}" if short else "") +
                        (" (short form missing)" if opt else " missing"))

    for cmd in commands:
        binary, path = cmd["binary"], cmd["path"]
        words = path.split()
        c = counts.setdefault(cmd["table"], [0, 0, 0, 0])
        c[1] += 1
        h = help_of(binary, words)
        present = h.ok and h.usage.startswith(f"Usage: {binary} {path}")
        if present:
            c[0] += 1
        elif excepted((binary, path, None)):
            pass
        else:
            gaps.append(f"{binary} {path}: command missing")
        for alias in cmd["aliases"]:
            c[1] += 1
            a = help_of(binary, words[:-1] + [alias])
            if present and a.ok and a.usage == h.usage:
                c[0] += 1
            elif excepted((binary, path, "alias:" + alias)):
                pass
            else:
                gaps.append(f"{binary} {path}: alias {alias} missing")
        root = help_of(binary, [])
        for flag, short in cmd["flags"].items():
            c[3] += 1
            opt = h.options.get(flag) if present else None
            if opt is None and present:
                opt = root.options.get(flag)  # a global, accepted after the command
            if opt and (not short or short in opt["names"]):
                c[2] += 1
                check_accepted(binary, path, flag, opt)
            elif present and (binary, path, flag) in HIDDEN and not short:
                c[2] += 1
            elif excepted((binary, path, flag)):
                pass
            elif (binary, path, flag) in PENDING:
                pending.append(f"{binary} {path} {flag}: {PENDING[(binary, path, flag)]}")
            else:
                gaps.append(f"{binary} {path} {flag}" + (f"/{short}" if short else "") +
                            (": short form missing" if opt else ": flag missing"))

    for (binary, path, flag), reason in list(ACCEPTED_ONLY.items()) + list(HIDDEN.items()) + list(REFUSED.items()):
        known = (binary, flag) in globals_ if path == "" else any(
            c["binary"] == binary and c["path"] == path and flag in c["flags"] for c in commands)
        if not known:
            accepted_bad.append(f"{binary} {path} {flag}: in ACCEPTED_ONLY but not in the reference")
    stale = [k for k in EXCEPTIONS if k not in excepted_used]

    tc = [0, 0, 0, 0]
    for table, c in counts.items():
        if table[0] == "globals":
            continue
        print(f"{table}: commands and aliases {c[0]}/{c[1]}, flag pairs {c[2]}/{c[3]}")
        for i in range(4):
            tc[i] += c[i]
    g = [0, 0]
    for table, c in counts.items():
        if table[0] == "globals":
            print(f"globals of {table[1]}: {c[0]}/{c[1]}")
            g[0] += c[0]
            g[1] += c[1]
    print(f"total: commands {tc[0]}/{tc[1]}, flag pairs {tc[2]}/{tc[3]}, globals {g[0]}/{g[1]}; "
          f"excepted {len(excepted_used)}, accepted without effect {len(ACCEPTED_ONLY) + len(HIDDEN)}")
    for key, reason in list(ACCEPTED_ONLY.items()) + list(HIDDEN.items()):
        print(f"  accepted only: {' '.join(x for x in key if x)}: {reason}")
    for key, reason in REFUSED.items():
        print(f"  refused when given: {' '.join(x for x in key if x)}: {reason}")
    for key in sorted(excepted_used, key=str):
        print(f"  excepted: {' '.join(x for x in key if x)}: {EXCEPTIONS[key]}")
    for line in dict.fromkeys(pending):
        print(f"  pending (another branch): {line}")
    for line in dict.fromkeys(gaps):
        print(f"  GAP  {line}")
    for line in dict.fromkeys(accepted_bad):
        print(f"  BAD  {line}")
    for key in stale:
        print(f"  STALE exception (the item exists or is not in the reference): {key}")
    return 1 if gaps or accepted_bad or stale else 0


if __name__ == "__main__":
    sys.exit(main())
