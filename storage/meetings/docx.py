"""A minimal Word document (.docx, Office Open XML WordprocessingML) written with zipfile:
headings, paragraphs with bold runs, and simple bordered tables — what council minutes
need, without a document library. Word, WPS and LibreOffice open it."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FONT = "宋体"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""
CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>{title}</dc:title><dc:creator>社区助手</dc:creator>
</cp:coreProperties>"""


def _run(text: str, *, bold: bool = False, size: int = 24) -> str:
    props = (
        f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}"/>'
        + ("<w:b/>" if bold else "")
        + f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    )
    lines = text.split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    return f"<w:r><w:rPr>{props}</w:rPr>{body}</w:r>"


def _paragraph(runs: str, *, center: bool = False, space_after: int = 120) -> str:
    align = '<w:jc w:val="center"/>' if center else ""
    return f'<w:p><w:pPr><w:spacing w:after="{space_after}"/>{align}</w:pPr>{runs}</w:p>'


@dataclass
class Document:
    """Blocks in order; `bytes()` gives the .docx file."""

    title: str
    blocks: list[str] = field(default_factory=list)

    def heading(self, text: str, level: int = 1) -> None:
        size = {0: 36, 1: 28, 2: 26}.get(level, 24)
        self.blocks.append(_paragraph(_run(text, bold=True, size=size), center=level == 0))

    def paragraph(self, text: str, *, label: str | None = None) -> None:
        runs = (_run(label, bold=True) if label else "") + _run(text)
        self.blocks.append(_paragraph(runs))

    def table(self, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
        """A bordered table; `widths` in twentieths of a point (the page holds ~9000)."""
        border = "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)

        def row(cells: list[str], bold: bool) -> str:
            tcs = "".join(
                f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>'
                f"{_paragraph(_run(c, bold=bold, size=21), space_after=0)}</w:tc>"
                for c, w in zip(cells, widths, strict=True)
            )
            return f"<w:tr>{tcs}</w:tr>"

        body = row(header, True) + "".join(row(r, False) for r in rows)
        self.blocks.append(
            f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            f"<w:tblBorders>{border}</w:tblBorders></w:tblPr>"
            f"<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>" + _paragraph("", space_after=120)
        )

    def document_xml(self) -> str:
        section = (
            '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
            '<w:pgMar w:top="1440" w:right="1247" w:bottom="1440" w:left="1247"'
            ' w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>'
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<w:document xmlns:w="{W}"><w:body>{"".join(self.blocks)}{section}</w:body>'
            "</w:document>"
        )

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr("[Content_Types].xml", CONTENT_TYPES)
            package.writestr("_rels/.rels", ROOT_RELS)
            package.writestr("docProps/core.xml", CORE.format(title=escape(self.title)))
            package.writestr("word/document.xml", self.document_xml())
        return buffer.getvalue()
