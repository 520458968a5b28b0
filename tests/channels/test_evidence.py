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
from actions.store import outbox, reports, retention
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


def test_a_pdf_with_a_photo_or_a_page_after_stream_cr_lf_is_kept():
    assert evidence.check(samples.pdf_with_photo()).kind == "pdf"
    assert evidence.check(samples.pdf(eol=b"\r\n")).kind == "pdf"


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
    pytest.param(samples.PDF_HEX_THEN_FLATE, evidence.UNSAFE_PDF, id="pdf asciihex+flate chain"),
    pytest.param(samples.PDF_HEX_ONLY, evidence.UNSAFE_PDF, id="pdf asciihex alone"),
    pytest.param(samples.PDF_ESCAPED_FILTER, evidence.UNSAFE_PDF, id="pdf escaped filter name"),
    pytest.param(samples.PDF_RAW_DEFLATE, evidence.UNSAFE_PDF, id="pdf raw deflate without zlib header"),
    pytest.param(samples.PDF_STREAM_CR, evidence.UNSAFE_PDF, id="pdf stream keyword then CR"),
    pytest.param(samples.PDF_GOTOR_UNC, evidence.UNSAFE_PDF, id="pdf openaction gotor unc path"),
    pytest.param(samples.PDF_ESCAPED_OPENACTION, evidence.UNSAFE_PDF, id="pdf escaped openaction"),
    pytest.param(samples.PDF_OPEN_URI, evidence.UNSAFE_PDF, id="pdf openaction uri"),
    pytest.param(samples.PDF_RENDITION, evidence.UNSAFE_PDF, id="pdf rendition"),
    pytest.param(samples.PDF_ENCRYPTED, evidence.UNSAFE_PDF, id="pdf encrypted"),
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
    report, _ = reports.submit_report(session, _draft(sender, draft_id), now=now)
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


def test_evidence_after_filing_joins_that_report_names_it_and_tells_the_contact(connection, session):
    report = _submit(session, SENDER)
    session.flush()
    kept, answer = evidence.receive_file(SENDER, samples.pdf(), "brief.pdf")
    assert kept and answer == f"Ontvangen: 1 PDF-bestand. Die hoort nu bij melding {report.reference}."
    assert evidence.receive_links(SENDER, "kijk https://x.com/a/status/1 en https://x.com/a/status/2") == (
        True, f"Ontvangen: 2 links. Die horen nu bij melding {report.reference}.")
    items = store.for_report(session, report)
    assert [(i.kind, i.report_id) for i in items] == [("pdf", report.id), ("link", report.id), ("link", report.id)]
    assert items[1].content == b"https://x.com/a/status/1"
    raw = connection.execute(text("SELECT content FROM evidence WHERE kind = 'link'")).first()
    assert b"x.com" not in bytes(raw.content)
    # the contact person hears of it through the outbox, as of an addition: one row per message, no file names
    rows = [m for m in outbox.outbox_for(session, report.id) if m.event == "addition"]
    assert len(rows) == 2 and all(m.kind == "contact" for m in rows)
    assert not any("brief" in str(m.target) or "x.com" in str(m.target) for m in rows)


@pytest.mark.parametrize("why", ["closed", "withdrawn", "too old"])
def test_evidence_for_a_new_incident_waits_for_the_next_report_not_the_old_one(connection, session, why):
    filed = datetime.now(UTC) - (timedelta(hours=25) if why == "too old" else timedelta(hours=1))
    old = _submit(session, SENDER, "ev-old", now=filed)
    if why == "closed":
        reports.change_status(session, old.id, "afgesloten", None, "griffier", False)
    elif why == "withdrawn":
        reports.withdraw(session, old, datetime.now(UTC))
    session.flush()
    kept, answer = evidence.receive_file(SENDER, samples.jpeg_with_gps())
    assert kept and answer == "Ontvangen: 1 foto. Die komt bij uw melding zodra u die verstuurt."
    assert store.for_report(session, old) == []
    new = _submit(session, SENDER, "ev-new")
    assert [i.kind for i in store.for_report(session, new)] == ["image"] and store.for_report(session, old) == []
    assert not [m for m in outbox.outbox_for(session, old.id) if m.event == "addition"]
    later = _submit(session, SENDER, "ev-later", now=datetime.now(UTC) + timedelta(minutes=5))
    assert store.for_report(session, later) == []  # the next report took it, not the newest


def test_the_join_window_is_a_setting(connection, session, monkeypatch):
    monkeypatch.setenv("EVIDENCE_JOIN_HOURS", "2")
    report = _submit(session, SENDER, now=datetime.now(UTC) - timedelta(hours=3))
    session.flush()
    assert evidence.receive_file(SENDER, samples.jpeg_with_gps())[1].endswith("zodra u die verstuurt.")
    assert store.for_report(session, report) == []


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


def test_purge_erases_evidence_no_report_took_without_a_new_upload(connection, monkeypatch):
    old = datetime.now(UTC) - timedelta(days=8)
    evidence.receive_file(SENDER, samples.jpeg_with_gps(), now=old)
    evidence.receive_file(SENDER, samples.png_with_gps())  # recent: it stays
    assert retention.purge_expired() == []
    assert connection.execute(text("SELECT count(*) FROM evidence")).scalar() == 1


def test_purge_keeps_evidence_a_later_report_took(connection, session):
    old = datetime.now(UTC) - timedelta(days=8)
    evidence.receive_file(SENDER, samples.jpeg_with_gps(), now=old)
    report = _submit(session, SENDER, now=old + timedelta(hours=1))
    session.flush()
    retention.purge_expired()
    assert len(store.for_report(session, report)) == 1


async def test_erase_my_data_erases_evidence_no_report_has_at_once(connection, session, dispatcher, tracker_factory,
                                                                    domain):
    from actions import identity
    from actions.report_lifecycle import ActionLifecycleFinish

    tracker = tracker_factory(slots={"lifecycle": "erase", "lifecycle_confirm": True}, sender_id="telegram:4242")
    who, channel = identity.of_tracker(tracker)
    other = evidence.Sender("telegram", "telegram:999")
    evidence.receive_file(evidence.Sender(channel, "telegram:4242"), samples.jpeg_with_gps())
    evidence.receive_file(other, samples.jpeg_with_gps())
    assert connection.execute(text("SELECT count(*) FROM evidence WHERE identity_hash = :h"), {"h": who}).scalar() == 1
    await ActionLifecycleFinish().run(dispatcher, tracker, domain)
    assert "Ik wis dit gesprek" in dispatcher.messages[-1]["text"]
    assert connection.execute(text("SELECT identity_hash FROM evidence")).scalars().all() == [other.identity]


async def test_erase_my_data_leaves_a_reports_evidence_for_its_purge(connection, session, dispatcher, tracker_factory,
                                                                     domain):
    from actions import identity
    from actions.report_lifecycle import ActionLifecycleFinish

    tracker = tracker_factory(slots={"lifecycle": "erase", "lifecycle_confirm": True}, sender_id="telegram:4242")
    _who, channel = identity.of_tracker(tracker)
    sender = evidence.Sender(channel, "telegram:4242")
    report = _submit(session, sender)
    session.flush()
    evidence.receive_file(sender, samples.jpeg_with_gps())
    await ActionLifecycleFinish().run(dispatcher, tracker, domain)
    session.expire_all()
    assert len(store.for_report(session, report)) == 1 and session.get(type(report), report.id).erase_after is not None


def test_a_conversation_may_keep_so_many_bytes_and_no_more(monkeypatch, connection):
    photo = samples.jpeg_with_gps(size=(400, 300))
    kept_size = len(evidence.check(photo).data)
    monkeypatch.setenv("EVIDENCE_MAX_CONVERSATION_BYTES", str(2 * kept_size + 10))
    assert evidence.receive_file(SENDER, photo)[0] and evidence.receive_file(SENDER, photo)[0]
    kept, answer = evidence.receive_file(SENDER, photo)
    assert not kept and answer == evidence.TOO_MUCH.format(mb=1)
    assert connection.execute(text("SELECT count(*), sum(size) FROM evidence")).one() == (2, 2 * kept_size)
    # another conversation has its own quota
    assert evidence.receive_file(evidence.Sender("telegram", "telegram:999"), photo)[0]


def test_the_quota_and_the_item_limit_hold_under_concurrent_uploads(monkeypatch, migrated_url):
    """Eight uploads at once in one conversation on the real database (committed, then cleaned up): the limit
    holds because the count and the insert happen under one lock per conversation."""
    if not migrated_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer at a time; the lock matters on PostgreSQL")
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import create_engine

    from actions.store import db

    engine = create_engine(migrated_url)
    monkeypatch.setattr(db, "engine", lambda url=None: engine)
    monkeypatch.setenv("EVIDENCE_MAX_ITEMS", "3")
    sender = evidence.Sender("telegram", "telegram:concurrent")
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: evidence.receive_links(sender, "https://example.nl/a"), range(8)))
        assert sum(1 for kept, _ in results if kept) == 3
        with engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM evidence WHERE conversation_id = :c"),
                             {"c": sender.conversation_id}).scalar() == 3
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM evidence WHERE conversation_id = :c"), {"c": sender.conversation_id})
        engine.dispose()


def test_the_summary_before_filing_counts_the_evidence_sent(connection, session, tracker_factory):
    from actions import identity
    from actions.report_summary import summary

    tracker = tracker_factory(slots={"municipality": "Leiden", "role": "raadslid"}, sender_id="telegram:4242")
    who, channel = identity.of_tracker(tracker)
    sender = evidence.Sender(channel, "telegram:4242")
    assert "Bewijs" not in summary(tracker)
    evidence.receive_file(sender, samples.jpeg_with_gps())
    assert "\n- Bewijs: 1 bestand\n- Naar: " in summary(tracker)
    evidence.receive_links(sender, "https://x.com/a/status/1")
    evidence.receive_file(evidence.Sender("telegram", "telegram:999"), samples.pdf())  # someone else's
    assert "\n- Bewijs: 2 bestanden\n" in summary(tracker)
    _submit(session, sender)  # filed: the report has them, the next summary starts without
    session.flush()
    assert "Bewijs" not in summary(tracker)
