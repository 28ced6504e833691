#!/usr/bin/env python3
"""Regenerate explain/sources/*.tsv (all of them: several sections fill the
same table, e.g. node.tsv gets rows from sec_openssl and sec_node).
Usage: python3 gen.py
Needs: the fetched mirrors under $MIRROR (default /work/.mirror), Go at $GOROOT
(default `go env GOROOT`), the JDK's lib/src.zip, node, libssl3/libssl-dev,
openssl.  See ../README.md."""
import sys, importlib
from common import Table

CLIENTS = ["openssl", "curl", "go", "java", "node", "python", "dotnet", "nginx", "apache", "haproxy", "envoy", "http-status"]
SECTIONS = ["sec_openssl", "sec_curl", "sec_go", "sec_java", "sec_node", "sec_python", "sec_dotnet", "sec_servers", "sec_http"]

def main():
    T = {c: Table(c) for c in CLIENTS}
    for s in SECTIONS:
        importlib.import_module(s).build(T)
    for c in CLIENTS:
        if T[c].rows:
            p, n = T[c].write()
            mapped = sum(1 for r in T[c].rows if r[3] != "-")
            print(f"{p}\t{n} rows\t{mapped} mapped\t{n-mapped} '-'")

if __name__ == "__main__":
    main()
