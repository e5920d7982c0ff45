#!/usr/bin/env python3
"""Writes the quirky and bad input files used by the import tests (native,
CLI and end-to-end). Run from this folder: python3 make_files.py"""

rows = [
    ["id", "age", "ki67", "subtype", "marked", "note"],
    ["1", "52", "12,5", "HER2+", "ja", "Größe 2,1 cm"],
    ["2", "47", "30", "TNBC", "nein", "café; rückfall"],
    ["3", "NA", "7,25", "HR+/HER2-", "ja", ""],
    ["4", "61", "45", "HER2+", "nein", "—"],
]

def sep_join(row, sep):
    out = []
    for f in row:
        if sep in f or '"' in f or "\n" in f:
            f = '"' + f.replace('"', '""') + '"'
        out.append(f)
    return sep.join(out)

# 1. Excel (German locale) "CSV": semicolons, decimal commas, Windows-1252, CRLF.
with open("quirky/semicolon-decimal-comma-cp1252.csv", "wb") as fh:
    fh.write("\r\n".join(sep_join(r, ";") for r in rows).encode("cp1252", errors="replace") + b"\r\n")

# 2. Excel "Unicode text": UTF-16 LE with BOM, tab-separated.
with open("quirky/tab-utf16le-bom.txt", "wb") as fh:
    text = "\r\n".join(sep_join(r, "\t") for r in rows) + "\r\n"
    fh.write(b"\xff\xfe" + text.encode("utf-16-le"))

# 3. UTF-8 with BOM, pipe-separated.
with open("quirky/pipe-utf8-bom.csv", "wb") as fh:
    fh.write(b"\xef\xbb\xbf" + ("\n".join(sep_join(r, "|") for r in rows) + "\n").encode())

# 4. Comma CSV with quoted separators, doubled quotes, embedded newlines, CRLF,
#    a trailing separator and NA tokens.
with open("quirky/quoted-multiline.csv", "wb") as fh:
    fh.write(
        b'id,age,note,marked,\r\n'
        b'1,52,"left breast, upper quadrant",yes,\r\n'
        b'2,N/A,"said ""no"" to\r\nradiotherapy",no,\r\n'
        b'3,61,.,yes,\r\n'
        b'4,-,"",no,\r\n'
    )

# Bad files: each must give a message naming what and where.
bad = {
    "empty.csv": b"",
    "header-only.csv": b"id,age,marked\r\n",
    "ragged.csv": b"id,age,marked\n1,52,yes\n2,47,no\n3,61\n4,39,no\n",
    "duplicate-header.csv": b"id,age,marked,age\n1,52,yes,50\n",
    "empty-header.csv": b"id,,marked\n1,52,yes\n",
    "unclosed-quote.csv": b'id,note,age\n1,ok,52\n2,"unclosed,47\n3,fine,61\n',
    "mostly-numeric.csv": b"id;ki67\n1;10\n2;30\n3;12,5%\n4;40\n5;25\n6;50\n7;15\n8;60\n",
    "picture.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00",
}
for name, content in bad.items():
    with open("bad/" + name, "wb") as fh:
        fh.write(content)
