#!/usr/bin/env python3
"""Writes the bad-input corpus of tests/data/bad (run from this folder:
python3 make_corpus.py). Small files only; big ones (200,000 columns) are
made by tests/bad_corpus.rs itself. expected.json says what each gives."""
import zipfile, io, gzip

def w(name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(name, "wb") as f:
        f.write(data)

CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      '</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>')
WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
      '<sheet name="Patients" sheetId="1" r:id="rId1"/></sheets></workbook>')
WBRELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
          '</Relationships>')

def col(j):
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s

def cell(ref, v):
    if ref is None:
        r = ""
    else:
        r = f' r="{ref}"'
    if isinstance(v, (int, float)):
        return f'<c{r}><v>{v}</v></c>'
    return f'<c{r} t="inlineStr"><is><t>{v}</t></is></c>'

def table_rows(rows, refs=True):
    out = []
    for i, row in enumerate(rows):
        cells = "".join(cell(f"{col(j)}{i+1}" if refs else None, v) for j, v in enumerate(row))
        out.append(f'<row r="{i+1}">{cells}</row>' if refs else f'<row>{cells}</row>')
    return "".join(out)

def sheet(body, dim="A1:B3"):
    d = f'<dimension ref="{dim}"/>' if dim else ""
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'{d}<sheetData>{body}</sheetData></worksheet>')

def xlsx(name, sheet_xml):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB)
        z.writestr("xl/_rels/workbook.xml.rels", WBRELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    w(name, b.getvalue())
    return b.getvalue()

GOOD = [["age", "sex"], [52, "F"], [47, "M"], [61, "F"]]
ok = xlsx("ok.xlsx", sheet(table_rows(GOOD), "A1:B4"))
xlsx("far-dimension.xlsx", sheet(table_rows(GOOD), "A1:XFD1048576"))
xlsx("far-cell.xlsx", sheet(table_rows(GOOD) + '<row r="1048576">' + cell("XFD1048576", 1) + '</row>', "A1:XFD1048576"))
xlsx("far-empty-styled-cell.xlsx", sheet(table_rows(GOOD) + '<row r="1048576"><c r="XFD1048576" s="0"/></row>', "A1:B4"))
xlsx("malformed-ref.xlsx", sheet(table_rows(GOOD) + '<row r="5">' + cell("ZZZZZZZZ99999999999", 1) + '</row>', "A1:B4"))
xlsx("malformed-dimension.xlsx", sheet(table_rows(GOOD), "ZZZZZZZZ99999999999"))
xlsx("reversed-dimension.xlsx", sheet(table_rows(GOOD), "C9:A1"))
xlsx("row-number-overflow.xlsx", sheet(table_rows(GOOD) + '<row r="99999999999">' + cell(None, 1) + '</row>', "A1:B4"))
xlsx("lowercase-ref-past-grid.xlsx", sheet(table_rows(GOOD) + '<row r="6">' + cell("xfe6", 1) + '</row>', "A1:B4"))
xlsx("no-cell-references.xlsx", sheet(table_rows(GOOD, refs=False), None))
xlsx("empty-sheet.xlsx", sheet("", None))
xlsx("header-only.xlsx", sheet(table_rows([["age", "sex"]]), "A1:B1"))
xlsx("duplicate-header.xlsx", sheet(table_rows([["age", "age"], [1, 2], [3, 4]]), "A1:B3"))
xlsx("formula-cells.xlsx", sheet(table_rows([["id", "note"], [1, "=1+2"], [2, "@SUM(A1)"], [3, "+cmd"]]), "A1:B4"))
xlsx("wide-gap.xlsx", sheet(table_rows([["a", "b"], [1, 2]]) + '<row r="3">' + cell("A3", 3) + cell("Z3", 9) + '</row>', "A1:Z3"))
xlsx("truncated-sheet-xml.xlsx", sheet(table_rows(GOOD), "A1:B4")[:-40])
w("truncated.xlsx", ok[: len(ok) // 2])
b = io.BytesIO()
with zipfile.ZipFile(b, "w") as z:
    z.writestr("readme.txt", "not a workbook")
w("not-a-workbook.xlsx", b.getvalue())
b = io.BytesIO()
with zipfile.ZipFile(b, "w") as z:
    pass
w("empty-zip.xlsx", b.getvalue())
w("ole2-garbage.xls", bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + b"\x00garbage" * 20)
w("gzip.csv", gzip.compress(b"a,b\n1,2\n"))
w("pdf.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\x00\x00\n")
w("nul-bytes.csv", b"a,b\n1,\x002\n3,4\n")

# Text files.
w("bom-utf8.csv", b"\xef\xbb\xbfage,sex\n52,F\n47,M\n")
w("utf16le-bom.csv", "\ufeffage;sex\n52;F\n47;M\n".encode("utf-16-le"))
w("utf16be-bom.csv", "\ufeffage,sex\n52,F\n47,M\n".encode("utf-16-be"))
w("latin1.csv", "nom;âge\nRené;52\nZoé;47\n".encode("latin-1"))
w("mixed-encodings.csv", "name,city\nRené,Zürich\n".encode("utf-8") + "Zoé,Genève\n".encode("latin-1"))
w("bom-then-invalid-utf8.csv", b"\xef\xbb\xbfa,b\n1,\xff\xfe\n")
w("only-separators.csv", ",,,\n,,,\n,,,\n")
w("only-semicolons.csv", ";;;;\n;;;;\n")
w("whitespace-only.csv", "  \n\t\n \r\n")
w("crlf-only.csv", "\r\n\r\n\r\n")
w("nan-inf-texts.csv", "id,x,y\n1,NaN,inf\n2,1.5,-inf\n3,Infinity,1e309\n4,2.5,-1e309\n5,nan,3\n")
w("values-near-1e308.csv", "id,group,x\n1,a,1e308\n2,a,1.5e308\n3,b,1.2e308\n4,b,1.7e308\n5,a,1.1e308\n6,b,1.3e308\n")
w("formula-cells.csv", "id,note,code\n1,=1+2,-1.5\n2,+cmd|' /C calc'!A0,+2\n3,@SUM(A1:A2),-\n4,-2+3,7\n5,=HYPERLINK(\"http://x\"),8\n")
w("path-escape-headers.csv", "id,x/../../../ESCAPED,..\\..\\win,a\x01b,CON\n1,0,1,0,1\n2,1,0,1,0\n3,0,1,1,0\n")
w("header-over-65535-bytes.csv", "id," + "h" * 70000 + "\n1,2\n3,4\n")
vals = [f"0.{(i * 7919 + 13) % 997}" for i in range(20)] + ["0.3389914537612095-4"]
w("inconsistent-numeric.csv", "id,x\n" + "".join(f"{i},{v}\n" for i, v in enumerate(vals + vals)))
w("control-chars.csv", "a,b\n1,x\x07y\n2,\x1bz\n")
w("single-column.csv", "age\n52\n47\n61\n")
w("no-final-newline.csv", "a,b\n1,2")
w("quotes-in-header.csv", '"a ""quoted"" name","b, with comma"\n1,2\n3,4\n')
w("unicode-headers.csv", "âge,ki-67 %,שם,😀\n52,10,x,1\n47,20,y,0\n")
w("trailing-separators.csv", "a,b,\n1,2,\n3,4,\n")
w("blank-lines-between.csv", "a,b\n\n1,2\n\n\n3,4\n")
w("ragged-long-row.csv", "a,b,c\n1,2,3\n4,5,6,7\n")
w("duplicate-after-trim.csv", "age, age \n1,2\n3,4\n")
w("empty-header-middle.csv", "a,,c,d\n1,2,3,4\n")
w("tab-separated.tsv", "age\tsex\n52\tF\n47\tM\n")
w("pipe-separated.csv", "age|sex\n52|F\n47|M\n")
w("decimal-comma-semicolon.csv", "id;ki67\n1;12,5\n2;30,0\n3;7,25\n")
w("all-missing-column.csv", "a,b\n1,NA\n2,\n3,N/A\n")
w("wide-1000-columns.csv", ",".join(f"c{j}" for j in range(1000)) + "\n" + ",".join(str(j % 7) for j in range(1000)) + "\n")
w("html-page.csv", "<!DOCTYPE html>\n<html><body><p>Not a table</p></body></html>\n")
w("quoted-newlines.csv", 'id,note\n1,"line one\nline two"\n2,"ok"\n')
w("duplicate-header-far-apart.csv", ",".join(f"c{j}" for j in range(500)) + ",c3\n" + ",".join("1" for _ in range(501)) + "\n")
w("unclosed-quote-header.csv", '"a,b\n1,2\n')
w("many-blank-header-rows.csv", "\n\n\n\na,b\n1,2\n")
w("numbers-with-units.csv", "id,weight\n1,70 kg\n2,80 kg\n3,65\n")
