"""Evidence through Signal (issue 14): attachments fetched from the fake signal-cli-rest-api, deleted there,
checked and kept encrypted with the report; links kept; malicious files refused in Dutch."""

from __future__ import annotations

from sqlalchemy import text

from actions.report_fields import ReportDraft
from actions.store import evidence as store
from actions.store import reports
from channels import evidence
from tests.channels import evidence_samples as samples
from tests.channels.signal.conftest import USER

SENDER = evidence.Sender("signal", f"signal:{USER}")


def texts(bodies: list[dict]) -> list[str]:
    return [body["message"] for body in bodies]


def file_report(session):
    draft = ReportDraft(draft_id="sig-1", conversation_id=SENDER.conversation_id, municipality="Leiden",
                        municipality_key="leiden", role="wethouder", category="C", subkind=None, reporting="optional",
                        acute=False, online=False, contact_function="griffier", answers={"what": "Een brief"},
                        identity_hash=SENDER.identity, identity_channel="signal")
    report, _ = reports.submit_report(session, draft)
    session.flush()
    return report


async def test_a_photo_is_fetched_deleted_at_signal_kept_encrypted_and_joins_the_report(bridge, sig, rasa, connection, session):
    attachment = sig.user_sends_file(USER, samples.jpeg_with_gps(), "image/jpeg")

    assert texts(await sig.wait_for_sends(USER, 1)) == ["Ontvangen: 1 foto. Die komt bij uw melding zodra u die verstuurt."]
    assert sig.deleted == [attachment] and sig.attachments == {}  # nothing left on signal-cli's disk
    assert rasa.received == []
    raw = connection.execute(text("SELECT content, channel FROM evidence")).one()
    assert raw.channel == "signal" and b"\xff\xd8\xff" not in bytes(raw.content)

    report = file_report(session)
    [item] = store.for_report(session, report)
    assert item.media_type == "image/jpeg" and not samples.has_location(item.content)


async def test_a_file_with_text_after_filing_joins_the_report_and_the_text_goes_to_rasa(bridge, sig, rasa, connection, session):
    report = file_report(session)
    sig.user_sends_file(USER, samples.pdf(), "application/pdf", filename="brief.pdf", text="Deze brief kreeg ik")
    sent = texts(await sig.wait_for_sends(USER, 2))
    await bridge.forwarder.join()
    assert f"Ontvangen: 1 PDF-bestand. Die hoort nu bij melding {report.reference}." in sent
    assert rasa.messages() == ["Deze brief kreeg ik"]
    [item] = store.for_report(session, report)
    assert (item.kind, item.name) == ("pdf", "brief.pdf")


async def test_a_link_is_kept_and_the_text_reaches_rasa(bridge, sig, rasa, connection):
    sig.user_says(USER, "Kijk: https://www.instagram.com/p/abc/")
    sent = texts(await sig.wait_for_sends(USER, 2))
    assert "Ontvangen: 1 link. Die komt bij uw melding zodra u die verstuurt." in sent
    assert rasa.messages() == ["Kijk: https://www.instagram.com/p/abc/"]


async def test_malicious_attachments_are_refused_deleted_and_not_kept(bridge, sig, rasa, connection):
    cases = [(samples.SVG_WITH_SCRIPT, "image/jpeg", "foto.jpg", evidence.NOT_ACCEPTED),
             (samples.zip_file(), "application/zip", None, evidence.NOT_ACCEPTED),
             (samples.png_bomb(), "image/png", None, evidence.TOO_MANY_PIXELS),
             (samples.PDF_WITH_JAVASCRIPT, "application/pdf", "brief.pdf", evidence.UNSAFE_PDF)]
    for data, content_type, name, _ in cases:
        sig.user_sends_file(USER, data, content_type, filename=name)
    sent = texts(await sig.wait_for_sends(USER, len(cases)))
    assert sorted(sent) == sorted(answer for *_, answer in cases)
    assert connection.execute(text("SELECT count(*) FROM evidence")).scalar() == 0
    assert sig.attachments == {}


async def test_an_oversized_attachment_is_refused_without_fetching_it(bridge, sig, rasa, connection, monkeypatch):
    monkeypatch.setenv("EVIDENCE_MAX_BYTES", "1000")
    sig.user_sends_file(USER, samples.jpeg_with_gps(size=(400, 300)), "image/jpeg", size=50_000)
    [answer] = texts(await sig.wait_for_sends(USER, 1))
    assert answer.startswith("Dit bestand is te groot.")
    assert sig.attachments == {}  # deleted all the same


async def test_a_size_that_lies_is_caught_while_reading(bridge, sig, rasa, connection, monkeypatch):
    monkeypatch.setenv("EVIDENCE_MAX_BYTES", "1000")
    sig.user_sends_file(USER, samples.jpeg_with_gps(size=(400, 300)), "image/jpeg", size=10)
    [answer] = texts(await sig.wait_for_sends(USER, 1))
    assert answer.startswith("Dit bestand is te groot.")
    assert connection.execute(text("SELECT count(*) FROM evidence")).scalar() == 0


async def test_an_unexpected_error_still_gets_a_calm_answer_and_the_file_is_deleted(bridge, sig, rasa, connection,
                                                                                    monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise RuntimeError("Jan Jansen bedreigde mij")  # what an exception might carry: never logged

    monkeypatch.setattr(evidence, "receive_file", broken)
    sig.user_sends_file(USER, samples.jpeg_with_gps(), "image/jpeg", filename="jansen.jpg")
    assert texts(await sig.wait_for_sends(USER, 1)) == [evidence.NOT_STORED]
    assert sig.attachments == {}
    assert "RuntimeError" in caplog.text and "Jansen" not in caplog.text


async def test_a_messages_attachments_are_kept_one_after_another_within_the_limit(bridge, sig, rasa, connection,
                                                                                 monkeypatch):
    from tests.channels.fake_signal import text_message

    monkeypatch.setenv("EVIDENCE_MAX_ITEMS", "1")
    attachments = []
    for number in range(2):
        attachment_id = f"att{number}.jpeg"
        sig.attachments[attachment_id] = samples.jpeg_with_gps()
        attachments.append({"contentType": "image/jpeg", "filename": None, "id": attachment_id,
                            "size": len(sig.attachments[attachment_id]), "width": None, "height": None, "caption": None,
                            "uploadTimestamp": 1})
    sig.push(text_message(USER, None, attachments=attachments))
    assert texts(await sig.wait_for_sends(USER, 2)) == [
        "Ontvangen: 1 foto. Die komt bij uw melding zodra u die verstuurt.", evidence.TOO_MANY.format(count=1)]
    assert connection.execute(text("SELECT count(*) FROM evidence")).scalar() == 1
    assert sig.attachments == {}
