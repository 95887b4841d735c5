"""Regenerates data/tcvn3.tsv from glibc's iconv (charset TCVN5712-1).
Run from the repository root: python3 data/make-tables.py
data/vni.tsv (VNI-Windows) has no iconv charset; it is written by hand and
checked by the round-trip tests in src/legacy.rs."""
import subprocess

lines = [
    "# TCVN3 (ABC, fonts .VnTime / .VnTimeH): byte<TAB>Unicode character(s).",
    "# Made with glibc iconv (TCVN5712-1) as the reference: data/make-tables.py.",
    "# Legacy text reaches a workbook as the Windows-1252 reading of these bytes.",
]
for b in range(0x80, 0x100):
    out = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=bytes([b]), capture_output=True)
    u = out.stdout.decode()
    if u and u != bytes([b]).decode("latin-1"):
        lines.append(f"{b:02X}\t{u}")
open("data/tcvn3.tsv", "w").write("\n".join(lines) + "\n")
