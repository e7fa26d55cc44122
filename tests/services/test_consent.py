"""Consent recorded per source is enforced where information leaves Svidok."""

import io

import pytest

from svidok.core.actors import SYSTEM
from svidok.core.errors import ValidationFailed
from svidok.schemas.filters import IncidentFilter
from svidok.services import evidence, evidence_bundles, export_public
from tests import fixtures as fx

GROUP = [{"violation_type": "killing_of_civilians", "victims": [{"harm": "killed", "count": 6, "status": "civilian"}]}]


def test_public_export_leaves_out_incidents_whose_sources_refused_publication(app):
    yes = fx.source(app, consent_publish=True)
    no = fx.source(app, consent_publish=False)
    published = fx.incident(app, confidentiality="public", acts=GROUP, source_ids=[yes["id"], no["id"]])
    refused = fx.incident(app, confidentiality="public", acts=GROUP, source_ids=[no["id"]], date_start="2022-03-06")
    out = io.StringIO()
    result = export_public.export(app, SYSTEM, IncidentFilter(), export_public.PublicConfig(), out)
    assert result.people == 6, (published, refused)
    assert out.getvalue().count("killing_of_civilians") == 1


def test_a_bundle_refuses_evidence_whose_source_did_not_consent_to_prosecutors(app, tmp_path):
    inc = fx.incident(app)
    src = fx.source(app, consent_share_prosecutors=False)
    item = evidence.ingest(app, SYSTEM, io.BytesIO(b"%PDF-1.4 synthetic statement"), original_name="s.pdf",
                           media_type="application/pdf", incident_id=inc["id"], source_id=src["id"])
    with pytest.raises(ValidationFailed) as exc:
        evidence_bundles.create(app, SYSTEM, tmp_path / "b.tar", incident_ids=[inc["id"]], purpose="prosecutor (synthetic)")
    assert exc.value.errors[0].field == f"evidence {item['id']}" and "did not consent" in str(exc.value)
    assert not (tmp_path / "b.tar").exists()
