"""The evidence intake (channels/evidence.py) and store (actions/store/evidence.py): what is accepted by content,
what is refused with which Dutch answer, metadata stripped, encrypted at rest, which report evidence joins, purge."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import text

from actions.report_fields import ReportDraft
from actions.store import evidence as store
from actions.store import repository, retention
from channels import evidence
from tests.channels import evidence_samples as samples

SENDER = evidence.Sender("telegram", "telegram:4242")


# --- what is accepted, recognised by content ---------------------------------------------------------------------

@pytest.mark.parametrize(("make", "media_type", "extension"), [
    (samples.jpeg_with_gps, "image/jpeg", "jpg"),
    (samples.png_with_gps, "image/png", "png"),
    (samples.webp_with_gps, "image/webp", "webp"),
])
def test_an_image_is_kept_without_location_camera_or_comments(make, media_type, extension):
    original = make()
    assert samples.has_location(original)  # the sample really carries GPS data
    checked = evidence.check(original)
    assert (checked.kind, checked.media_type, checked.extension) == ("image", media_type, extension)
    assert not samples.has_location(checked.data)
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.size == (64, 48) and image.getexif().get_ifd(samples.GPS_IFD) == {}


def test_a_photo_taken_sideways_is_turned_upright_before_its_exif_goes():
    exif = Image.Exif()
    exif[samples.ORIENTATION] = 6  # rotate 90 degrees
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG", exif=exif.tobytes())
    with Image.open(io.BytesIO(evidence.check(out.getvalue()).data)) as image:
        assert image.size == (48, 64) and samples.ORIENTATION not in image.getexif()


def test_a_pdf_is_kept_as_sent():
    data = samples.pdf()
    checked = evidence.check(data)
    assert (checked.kind, checked.media_type, checked.data) == ("pdf", "application/pdf", data)


def test_the_name_decides_nothing_and_is_cleaned():
    assert evidence.clean_name("C:\\Users\\jan\\bedreiging.pdf", "jpg") == "bedreiging.jpg"
    assert evidence.clean_name("../../etc/passwd", "png") == "passwd.png"
    assert evidence.clean_name("foto\x00\u202e.jpg", "jpg") == "foto.jpg"
    assert evidence.clean_name("...", "jpg") is None and evidence.clean_name(None, "jpg") is None


# --- what is refused, with a calm Dutch answer ----------------------------------------------------------------------

@pytest.mark.parametrize(("data", "answer"), [
    pytest.param(samples.HTML_PAGE, evidence.NOT_ACCEPTED, id="html named foto.jpg"),
    pytest.param(samples.SVG_WITH_SCRIPT, evidence.NOT_ACCEPTED, id="svg with script"),
    pytest.param(samples.zip_file(), evidence.NOT_ACCEPTED, id="zip bomb"),
    pytest.param(b"GIF89a" + b"\x00" * 20, evidence.NOT_ACCEPTED, id="gif"),
    pytest.param(b"MZ\x90\x00" + b"\x00" * 60, evidence.NOT_ACCEPTED, id="exe"),
    pytest.param(b"", evidence.NOT_ACCEPTED, id="empty"),
    pytest.param(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, evidence.HEIC, id="heic"),
    pytest.param(samples.png_bomb(), evidence.TOO_MANY_PIXELS, id="decompression bomb"),
    pytest.param(samples.fake_jpeg(), evidence.UNREADABLE, id="jpeg header then html"),
    pytest.param(samples.jpeg_with_gps()[:300], evidence.UNREADABLE, id="truncated jpeg"),
    pytest.param(samples.PDF_WITH_JAVASCRIPT, evidence.UNSAFE_PDF, id="pdf with javascript"),
    pytest.param(samples.PDF_WITH_ESCAPED_JAVASCRIPT, evidence.UNSAFE_PDF, id="pdf with escaped javascript"),
    pytest.param(samples.PDF_WITH_HIDDEN_JAVASCRIPT, evidence.UNSAFE_PDF, id="pdf with javascript in a stream"),
    pytest.param(samples.PDF_WITH_EMBEDDED_FILE, evidence.UNSAFE_PDF, id="pdf with embedded file"),
    pytest.param(samples.pdf_zip_polyglot(), evidence.UNSAFE_PDF, id="pdf+zip polyglot"),
    pytest.param(samples.pdf() + samples.HTML_PAGE, evidence.UNSAFE_PDF, id="pdf+html polyglot"),
])
def test_malicious_or_unsupported_files_are_refused(data, answer):
    with pytest.raises(evidence.Refused) as refused:
        evidence.check(data)
    assert refused.value.text == answer


def test_a_decompression_bomb_is_refused_by_pillows_own_check_too(monkeypatch):
    monkeypatch.setenv("EVIDENCE_MAX_PIXELS", str(10**12))  # our limit out of the way: Pillow's MAX_IMAGE_PIXELS stops it
    with pytest.raises(evidence.Refused) as refused:
        evidence.check(samples.png_bomb())
    assert refused.value.text == evidence.TOO_MANY_PIXELS


def test_an_oversized_file_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setenv("EVIDENCE_MAX_BYTES", "1000")
    with pytest.raises(evidence.Refused) as refused:
        evidence.check(samples.jpeg_with_gps(size=(400, 300)))
    assert refused.value.text == "Dit bestand is te groot. Ik bewaar bestanden tot 1 MB. Stuur een kleinere foto of een screenshot."


def test_a_png_with_html_after_it_is_kept_without_the_html():
    checked = evidence.check(samples.png_html_polyglot())
    assert checked.media_type == "image/png" and b"<script" not in checked.data and b"html" not in checked.data


def test_links_are_found_in_text():
    assert evidence.find_links("Zie https://x.com/user/status/1?a=b, en www.example.nl/pagina. En niets meer") == [
        "https://x.com/user/status/1?a=b", "www.example.nl/pagina"]
    assert evidence.find_links("geen link hier, ook niet https://") == []


# --- keeping: encrypted, joined to the right report, erased ------------------------------------------------------------

def _draft(sender: evidence.Sender, draft_id: str) -> ReportDraft:
    return ReportDraft(draft_id=draft_id, conversation_id=sender.conversation_id, municipality="Leiden",
                       municipality_key="leiden", role="raadslid", category="D", subkind=None, reporting="required",
                       acute=False, online=False, contact_function="griffier", answers={"what": "Hij dreigde"},
                       identity_hash=sender.identity, identity_channel=sender.channel)


def _submit(session, sender, draft_id="ev-1", now=None):
    report, _ = repository.submit_report(session, _draft(sender, draft_id), now=now)
    return report


def test_a_photo_is_encrypted_at_rest_and_joins_the_report_filed_later(connection, session):
    kept, answer = evidence.receive_file(SENDER, samples.jpeg_with_gps(), "IMG_0001.JPG")
    assert kept and answer == "Ontvangen: 1 foto. Die komt bij uw melding zodra u die verstuurt."
    raw = connection.execute(text("SELECT content, name, kind, media_type FROM evidence")).one()
    assert b"\xff\xd8\xff" not in bytes(raw.content) and b"JFIF" not in bytes(raw.content)  # a Fernet token, not a JPEG
    assert raw.name and "IMG_0001" not in raw.name and (raw.kind, raw.media_type) == ("image", "image/jpeg")

    report = _submit(session, SENDER)
    [item] = store.for_report(session, report)
    assert item.name == "IMG_0001.jpg" and item.content[:3] == b"\xff\xd8\xff" and not samples.has_location(item.content)


def test_evidence_after_filing_joins_that_report_and_says_so(connection, session):
    report = _submit(session, SENDER)
    session.flush()
    kept, answer = evidence.receive_file(SENDER, samples.pdf(), "brief.pdf")
    assert kept and answer == "Ontvangen: 1 PDF-bestand. Die komt bij uw melding."
    assert evidence.receive_links(SENDER, "kijk https://x.com/a/status/1 en https://x.com/a/status/2") == (
        True, "Ontvangen: 2 links. Die komen bij uw melding.")
    items = store.for_report(session, report)
    assert [(i.kind, i.report_id) for i in items] == [("pdf", report.id), ("link", report.id), ("link", report.id)]
    assert items[1].content == b"https://x.com/a/status/1"
    raw = connection.execute(text("SELECT content FROM evidence WHERE kind = 'link'")).first()
    assert b"x.com" not in bytes(raw.content)


def test_another_persons_evidence_never_joins_a_report(connection, session):
    other = evidence.Sender("telegram", "telegram:999")
    evidence.receive_file(other, samples.jpeg_with_gps())
    report = _submit(session, SENDER)
    assert store.for_report(session, report) == []
    # the same chat id in another messenger is another identity too
    evidence.receive_file(evidence.Sender("signal", "telegram:4242"), samples.jpeg_with_gps())
    assert store.for_report(session, report) == []


def test_a_second_report_in_the_conversation_does_not_take_the_first_ones_evidence(connection, session):
    evidence.receive_file(SENDER, samples.jpeg_with_gps())
    first = _submit(session, SENDER, "ev-1")
    second = _submit(session, SENDER, "ev-2")
    assert len(store.for_report(session, first)) == 1 and store.for_report(session, second) == []
    evidence.receive_file(SENDER, samples.png_with_gps())  # after filing: the newest report
    assert len(store.for_report(session, second)) == 1


def test_too_many_items_are_refused_calmly(monkeypatch, connection):
    monkeypatch.setenv("EVIDENCE_MAX_ITEMS", "2")
    assert evidence.receive_file(SENDER, samples.jpeg_with_gps())[0]
    assert evidence.receive_file(SENDER, samples.jpeg_with_gps())[0]
    assert evidence.receive_file(SENDER, samples.jpeg_with_gps()) == (False, evidence.TOO_MANY.format(count=2))


def test_refused_files_leave_nothing_behind(connection):
    assert evidence.receive_file(SENDER, samples.SVG_WITH_SCRIPT, "foto.jpg") == (False, evidence.NOT_ACCEPTED)
    assert connection.execute(text("SELECT count(*) FROM evidence")).scalar() == 0


def test_purge_erases_the_evidence_with_the_report(connection, session, monkeypatch):
    evidence.receive_file(SENDER, samples.jpeg_with_gps())
    report = _submit(session, SENDER)
    evidence.receive_links(SENDER, "https://example.nl/bericht")
    report.erase_after = datetime.now(UTC) - timedelta(minutes=1)  # 'verwijder mijn gegevens'
    reference = report.reference
    session.flush()
    from actions.store import tracker

    monkeypatch.setattr(tracker, "erase_conversation", lambda conversation_id: "erased (test)")
    assert [p.reference for p in retention.purge_expired()] == [reference]
    assert connection.execute(text("SELECT count(*) FROM evidence")).scalar() == 0


def test_evidence_of_a_conversation_that_never_filed_is_erased_after_some_days(connection):
    old = datetime.now(UTC) - timedelta(days=8)
    evidence.receive_file(SENDER, samples.jpeg_with_gps(), now=old)
    evidence.receive_file(evidence.Sender("signal", "signal:+31611111111"), samples.jpeg_with_gps())  # runs the clean-up
    assert connection.execute(text("SELECT conversation_id FROM evidence")).scalars().all() == ["signal:+31611111111"]
