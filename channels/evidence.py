"""The intake of evidence (issue 14), shared by the Telegram and Signal bridges and the widget's upload endpoint:
what may be kept, cleaning it, keeping it (actions/store/evidence.py) and the short Dutch answer for the user.

Accepted, recognised by content (magic bytes, then decoded), never by name or declared type:
- images: JPEG, PNG, WebP. Each is decoded and encoded again with Pillow, so EXIF (location, camera, time),
  XMP, comments and anything appended to the file (a polyglot's second format) are gone; only the first frame
  of an animation stays. Larger than EVIDENCE_MAX_PIXELS (width x height) is refused before decoding
  (decompression bombs; Pillow's DecompressionBombError/Warning are refused too).
- PDF: kept as sent, but only a PDF from its first byte to its %%EOF, not encrypted, whose streams use only
  Flate or an image codec (every Flate stream must unpack), with no active content (JavaScript, open and
  additional actions, launch, links to other files or addresses, media, embedded files, forms), also not
  inside its compressed streams, no HTML and no ZIP.
- links (http, https, www.) written in a text message: kept as text.
Everything else (SVG, HTML, ZIP and other archives, GIF, HEIC, office files, executables) and anything over
EVIDENCE_MAX_BYTES is refused with a calm Dutch answer. Nothing here logs content or names.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

from PIL import Image, ImageOps
from sqlalchemy.exc import SQLAlchemyError

from actions.identity import identity_hash
from actions.store import db, outbox
from actions.store import evidence as store
from core.config import get_settings
from core.texts import DANGER_LINE

log = logging.getLogger(__name__)

# --- what the user hears (B1: short, calm, what to do instead) ------------------------------------------------------
NOT_ACCEPTED = ("Dit bestand kan ik niet bewaren. Ik bewaar alleen foto's, screenshots en PDF-bestanden. "
                "Bewaar het bestand zelf. U kunt het later aan de griffie geven.")
HEIC = ("Deze foto kan ik niet openen (HEIC). Stuur hem als gewone foto, niet als bestand. Of maak een screenshot "
        "en stuur die.")
TOO_LARGE = ("Dit bestand is te groot. Ik bewaar bestanden tot {mb} MB. Stuur een kleinere foto of een screenshot.")
TOO_MANY_PIXELS = "Deze afbeelding is te groot om te openen. Maak een screenshot en stuur die."
UNREADABLE = "Deze afbeelding kan ik niet openen. Misschien is het bestand beschadigd. Stuur een andere foto of een screenshot."
UNSAFE_PDF = ("Dit PDF-bestand kan ik niet bewaren. Er zit iets in dat niet veilig is, zoals een script of een "
              "bijlage. Maak een screenshot van de pagina's en stuur die.")
TOO_MANY = ("U heeft al {count} bewijsstukken gestuurd. Meer kan ik niet bewaren. Geef andere bewijzen aan de griffie.")
TOO_MUCH = ("U heeft al {mb} MB aan bewijs gestuurd. Meer kan ik niet bewaren. Geef andere bewijzen aan de griffie.")
NOT_STORED = "Het bewaren lukte nu niet. Probeer het over een paar minuten opnieuw. " + DANGER_LINE
NOT_DOWNLOADED = "Dit bestand kon ik niet ophalen. Probeer het nog eens."


def received(kind: str, number: int, reference: str | None) -> str:
    """'Ontvangen: 1 foto. Die hoort nu bij melding MH-....' (joined a filed report), or 'Ontvangen: 1 foto. Die
    komt bij uw melding zodra u die verstuurt.' (it waits for the next report)."""
    one, several = store.NOUNS[kind]
    what = f"{number} {one if number == 1 else several}"
    if reference:
        return f"Ontvangen: {what}. {'Die hoort' if number == 1 else 'Die horen'} nu bij melding {reference}."
    return f"Ontvangen: {what}. {'Die komt' if number == 1 else 'Die komen'} bij uw melding zodra u die verstuurt."


class Refused(Exception):
    """The user's file is not kept; the text says why, in Dutch."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(reason)
        self.text, self.reason = text, reason  # reason: a short English word for the log, never content


@dataclass(frozen=True)
class Checked:
    kind: str  # image, pdf
    media_type: str
    data: bytes  # what is kept: the re-encoded image, or the PDF as sent
    extension: str


def max_bytes() -> int:
    return get_settings().evidence_max_bytes


def too_large() -> Refused:
    return Refused(TOO_LARGE.format(mb=max(1, round(max_bytes() / 1_000_000))), "too large")


# --- recognising by content ----------------------------------------------------------------------------------------

IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


def sniff(data: bytes) -> str | None:
    """'JPEG', 'PNG', 'WEBP', 'PDF', 'HEIC' from the first bytes; None for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:5] == b"%PDF-":
        return "PDF"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"):
        return "HEIC"
    return None


def check(data: bytes) -> Checked:
    """The file as it will be kept, or Refused."""
    if len(data) > max_bytes():
        raise too_large()
    kind = sniff(data)
    if kind in IMAGE_FORMATS:
        return _image(data, kind)
    if kind == "PDF":
        return _pdf(data)
    if kind == "HEIC":
        raise Refused(HEIC, "heic")
    raise Refused(NOT_ACCEPTED, "type")


def _image(data: bytes, kind: str) -> Checked:
    limit = get_settings().evidence_max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as opened:
                width, height = opened.size
                if width * height > limit:
                    raise Refused(TOO_MANY_PIXELS, "pixels")
                opened.seek(0)  # the first frame of an animation
                opened.load()
                image = ImageOps.exif_transpose(opened)  # shown upright, as on the phone, before EXIF goes
                clean = _encode(image, kind)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(TOO_MANY_PIXELS, "bomb") from None
    except Exception:  # not decodable: truncated, a fake header, an oversized text chunk, ...
        raise Refused(UNREADABLE, "undecodable") from None
    media_type, extension = IMAGE_FORMATS[kind]
    return Checked("image", media_type, clean, extension)


def _encode(image: Image.Image, kind: str) -> bytes:
    """A new file from the pixels only: no EXIF, XMP, ICC, comments or text chunks (Pillow writes metadata only
    when it is passed to save(); `info` is emptied as well, except PNG transparency)."""
    keep: dict = {"transparency": image.info["transparency"]} if kind == "PNG" and "transparency" in image.info else {}
    image.info = dict(keep)
    out = io.BytesIO()
    if kind == "JPEG":
        image = image if image.mode in ("RGB", "L") else image.convert("RGB")
        image.save(out, "JPEG", quality=90)
    elif kind == "PNG":
        image = image if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else image.convert("RGBA")
        image.save(out, "PNG", **keep)
    else:
        image = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
        image.save(out, "WEBP", quality=90)
    return out.getvalue()


# Names in a PDF that run code, open other programs or addresses, play media, carry files or hold forms; and
# /Encrypt (encrypted streams cannot be checked). Anywhere: in the file and in every unpacked stream.
_ACTIVE = re.compile(rb"/(JavaScript|JS|OpenAction|AA|Launch|GoToR|GoToE|URI|SubmitForm|ImportData|Rendition|Sound|Movie"
                     rb"|RichMedia|EmbeddedFiles?|XFA|AcroForm|Encrypt)(?![^\x00\t\n\x0c\r /\[\]<>(){}%])")
_HTML = re.compile(rb"<\s*(html|script|body|iframe|svg|!doctype)", re.IGNORECASE)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# The keyword `stream` (not the end of `endstream`) and its end of line: CR LF, LF, or a CR alone (readers take it).
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\r|\n)(.*?)endstream", re.DOTALL)
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\x00\t\n\x0c\r /\[\]<>(){}%]*)")
_FILTER_NAME = re.compile(rb"/([^\x00\t\n\x0c\r /\[\]<>(){}%]*)")
# The filters a kept PDF may use: Flate (unpacked and read here) and the image codecs (pictures, nothing to run).
# Any other (ASCIIHex, ASCII85, LZW, RunLength, Crypt, abbreviations) could hide names from this check.
FLATE = b"FlateDecode"
IMAGE_FILTERS = {b"DCTDecode", b"JPXDecode", b"CCITTFaxDecode"}
MAX_INFLATED = 50_000_000  # all compressed streams together, unpacked; more is a bomb


def _plain(part: bytes) -> bytes:
    """Name escapes decoded: /J#61vaScript is /JavaScript."""
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), part)


def _pdf(data: bytes) -> Checked:
    if b"%%EOF" not in data[-1024:]:
        raise Refused(UNSAFE_PDF, "pdf end")  # something follows the PDF: another format (a polyglot)
    if zipfile.is_zipfile(io.BytesIO(data)):
        raise Refused(UNSAFE_PDF, "pdf zip")
    for part in [data, *_inflated(data, MAX_INFLATED)]:
        plain = _plain(part)
        if _ACTIVE.search(plain) or _HTML.search(plain):
            raise Refused(UNSAFE_PDF, "pdf active")
    return Checked("pdf", "application/pdf", data, "pdf")


def _filters(data: bytes, stream_start: int) -> list[bytes]:
    """The /Filter names of the stream starting at `stream_start`: read from its object's dictionary (the text
    since the last `obj` before it), escapes decoded."""
    header = _plain(data[data.rfind(b"obj", 0, stream_start) + 3:stream_start])
    names: list[bytes] = []
    for found in _FILTER.finditer(header):
        names += [name for name in _FILTER_NAME.findall(found[1])]
    return names


def _inflated(data: bytes, budget: int) -> list[bytes]:
    """Every Flate stream of a PDF unpacked, at most `budget` bytes together. Refused: a stream with another
    filter than Flate or an image codec, a Flate stream that does not unpack (raw deflate, garbage), a bomb."""
    parts = []
    for match in _STREAM.finditer(data):
        filters = _filters(data, match.start())
        if any(name != FLATE and name not in IMAGE_FILTERS for name in filters):
            raise Refused(UNSAFE_PDF, "pdf filter")
        if FLATE not in filters:
            continue  # unfiltered (read with the file) or an image
        if filters[0] != FLATE:
            raise Refused(UNSAFE_PDF, "pdf filter")  # Flate after an image codec: not a picture, nothing to read
        inflater = zlib.decompressobj()
        try:
            part = inflater.decompress(match[1], budget + 1)
        except zlib.error:
            raise Refused(UNSAFE_PDF, "pdf stream") from None
        budget -= len(part)
        if budget < 0 or inflater.unconsumed_tail:
            raise Refused(UNSAFE_PDF, "pdf bomb")
        parts.append(part)
    return parts


# --- names and links -----------------------------------------------------------------------------------------------

def clean_name(name: str | None, extension: str) -> str | None:
    """The name as sent, without folders or control characters, at most 100 characters, with the extension of
    what the file really is (a JPEG named 'x.pdf' becomes 'x.jpg'); None when nothing readable is left."""
    if not name:
        return None
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = base.rsplit(".", 1)[0].strip(" .") if "." in base else base
    return f"{stem[:100]}.{extension}" if stem else None


_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"'{}|\\^`]+", re.IGNORECASE)
MAX_LINK = 2000
MAX_LINKS = 10  # per message


def find_links(text: str) -> list[str]:
    """The links in a text, in order, without trailing punctuation, each once."""
    links: list[str] = []
    for match in _LINK.finditer(text or ""):
        link = match.group(0).rstrip(".,;:!?)]")
        if len(link) > len("https://") and len(link) <= MAX_LINK and link not in links:
            links.append(link)
    return links[:MAX_LINKS]


# --- keeping -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sender:
    """Who sent it: the channel ("telegram", "signal", "socketio") and the Rasa conversation id, as the action
    server sees them, so the identity hash is the one the report was filed with."""

    channel: str
    conversation_id: str

    @property
    def identity(self) -> str:
        return identity_hash(self.channel, self.conversation_id)


def receive_file(sender: Sender, data: bytes, name: str | None = None, now: datetime | None = None) -> tuple[bool, str]:
    """Check and keep one file; (kept, what to tell the user). Blocking: call it in a thread from async code."""
    try:
        checked = check(data)
    except Refused as refused:
        log.info("%s: evidence refused (%s, %d bytes)", sender.channel, refused.reason, len(data))
        return False, refused.text
    return _keep(sender, [(checked.kind, checked.media_type, checked.data, clean_name(name, checked.extension))], now)


def receive_links(sender: Sender, text: str, now: datetime | None = None) -> tuple[bool, str] | None:
    """Keep the links in a text message as evidence; None when it has none."""
    links = find_links(text)
    if not links:
        return None
    return _keep(sender, [("link", "text/uri-list", link.encode(), None) for link in links], now)


def _keep(sender: Sender, items: list[tuple[str, str, bytes, str | None]], now: datetime | None) -> tuple[bool, str]:
    now = now or datetime.now(UTC)
    settings = get_settings()
    size = sum(len(content) for _, _, content, _ in items)
    try:
        with db.transaction() as session:
            # The limits are read and the rows written under one lock per conversation (PostgreSQL), so two
            # uploads at the same moment cannot both pass them. SQLite lets one writer at a time anyway.
            store.lock_conversation(session, sender.conversation_id)
            store.delete_unfiled(session, now, settings.evidence_unfiled_days)
            count = store.count_for_conversation(session, sender.conversation_id)
            if count + len(items) > settings.evidence_max_items:
                log.info("%s: evidence refused (too many items)", sender.channel)
                return False, TOO_MANY.format(count=count)
            kept_bytes = store.bytes_for_conversation(session, sender.conversation_id)
            if kept_bytes + size > settings.evidence_max_conversation_bytes:
                log.info("%s: evidence refused (conversation quota)", sender.channel)
                return False, TOO_MUCH.format(mb=max(1, round(kept_bytes / 1_000_000)))
            report = store.report_to_join(session, sender.identity, now, settings.evidence_join_hours)
            for kind, media_type, content, name in items:
                store.add(session, conversation_id=sender.conversation_id, identity_hash=sender.identity,
                          channel=sender.channel, kind=kind, media_type=media_type, content=content, name=name,
                          now=now, report=report)
            reference = report.reference if report else None
            if report is not None:  # the contact person hears of it as of an addition: the reference, no file names
                outbox.queue_contact_notifications(session, report, "addition", now)
    except SQLAlchemyError as error:
        log.error("%s: evidence not stored (%s)", sender.channel, type(error).__name__)
        return False, NOT_STORED
    log.info("%s: %d evidence item(s) kept (%s)", sender.channel, len(items), items[0][0])
    return True, received(items[0][0], len(items), reference)
