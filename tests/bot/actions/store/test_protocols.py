"""store/protocols.py: the protocol knowledge loaded from the YAML files, read back as a `Protocol`."""

from sqlalchemy import func, select

from actions.store import protocols
from actions.store.models import Municipality


def test_the_protocol_object_reads_the_loaded_files(session):
    leiden = protocols.protocol(session, "leiden")
    assert leiden.name == "Leiden" and leiden.loaded
    assert leiden.route("wethouder").contact == "gemeentesecretaris"
    assert leiden.advice("C").reporting == "on_continue"
    assert leiden.advice("D", "vernieling") == leiden.advice_rules["D_fysiek"]
    assert not protocols.protocol(session, "_model").loaded
    assert protocols.protocol(session, "utrecht") is None
    assert session.scalar(select(func.count()).select_from(Municipality)) == 6
