"""Shared helpers for the explain/sources generators.

Rows are written as TSV with the columns in COLUMNS.  Tabs, newlines and
backslashes inside a field are escaped as \\t, \\n and \\\\ so every row is one
line.  Format verbs from the source (%s, %d, {0}, {}) are kept as they are.
"""
import csv
import os
import re
import subprocess

COLUMNS = ["client", "code", "text", "cause", "side", "source", "note"]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MIRROR = os.environ.get("MIRROR", "/work/.mirror")


def esc(s):
    s = "" if s is None else str(s)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Table:
    def __init__(self, name):
        self.name = name
        self.rows = []
        self.seen = set()

    def add(self, client, code, text, cause, side, source, note="", multi=False):
        """multi: the text fits this cause as well as the cause of a row added before (a second row)."""
        if text is None or text.strip() == "":
            return
        key = (client, str(code), text, side) + ((cause,) if multi else ())
        if key in self.seen:
            return
        self.seen.add(key)
        cause = cause or "-"
        if cause == "-" and not note:
            note = "no cause fits: not a connection, certificate, key, proxy or HTTP-auth failure (internal, API-misuse, configuration or unrelated-feature message)"
        elif cause == "tls-handshake-failed" and not note:
            note = "fallback: a handshake/TLS failure with no more specific cause"
        self.rows.append([client, code if code not in (None, "") else "", text, cause or "-", side, source, note])

    def write(self):
        path = os.path.join(OUT, self.name + ".tsv")
        with open(path, "w", newline="") as f:
            f.write("\t".join(COLUMNS) + "\n")
            for r in self.rows:
                f.write("\t".join(esc(x) for x in r) + "\n")
        return path, len(self.rows)


def git_show(repo, path, rev="HEAD"):
    gd = os.path.join(MIRROR, repo.replace("/", "+"), "repo")
    return subprocess.run(["git", "--git-dir", gd, "show", f"{rev}:{path}"],
                          capture_output=True, text=True, errors="replace", check=True).stdout


def git_head(repo):
    gd = os.path.join(MIRROR, repo.replace("/", "+"), "repo")
    h = subprocess.run(["git", "--git-dir", gd, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    t = subprocess.run(["git", "--git-dir", gd, "describe", "--tags", "--abbrev=0"], capture_output=True, text=True).stdout.strip()
    return h, t


def git_ls(repo, prefix=""):
    gd = os.path.join(MIRROR, repo.replace("/", "+"), "repo")
    out = subprocess.run(["git", "--git-dir", gd, "ls-tree", "-r", "--name-only", "HEAD", prefix],
                         capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if l]


def src(repo, path):
    h, t = git_head(repo)
    return f"github:{repo} {path} @{t + ' ' if t else ''}{h[:12]}"


_C_STR = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def c_unescape(s):
    return (s.replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t").replace("\\'", "'")
            .replace("\\\\", "\\"))


def c_call_strings(text, funcs, maxlen=600):
    """Yield (lineno, func, joined_string_literal) for calls like func(..., "a" "b", ...).
    Adjacent C string literals (also across lines) are joined.  Only the first
    run of adjacent literals in the call is returned."""
    pat = re.compile(r"\b(" + "|".join(re.escape(f) for f in funcs) + r")\s*\(")
    for m in pat.finditer(text):
        start = m.end()
        # scan forward to the matching close paren (bounded)
        depth, i, n = 1, start, min(len(text), start + 2000)
        in_s = False
        while i < n and depth:
            ch = text[i]
            if in_s:
                if ch == "\\":
                    i += 2
                    continue
                if ch == '"':
                    in_s = False
            else:
                if ch == '"':
                    in_s = True
                elif ch == "(":
                    depth += 1
                elif ch == ")":
                    depth -= 1
            i += 1
        call = text[start:i - 1]
        # first run of adjacent string literals
        lits = list(_C_STR.finditer(call))
        if not lits:
            continue
        run = [lits[0]]
        for a in lits[1:]:
            between = call[run[-1].end():a.start()]
            if re.fullmatch(r"\s*", between) or re.fullmatch(r"\s*(PRI\w+|APLOGNO\(\d+\)|CURL_FORMAT_\w+|FMT_\w+)?\s*", between):
                run.append(a)
            else:
                break
        s = "".join(c_unescape(x.group(1)) for x in run)
        if len(s) > maxlen:
            continue
        lineno = text.count("\n", 0, m.start()) + 1
        yield lineno, m.group(1), s
