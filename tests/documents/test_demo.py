from __future__ import annotations

import pytest

from cityhall.accounts.facade import accounts_demo_load
from cityhall.accounts.models import DataAccessLog, User
from cityhall.documents import facade, verification
from cityhall.documents.models import Document, Share, ShareAccess, Signature, SigningKey

pytestmark = pytest.mark.django_db


def test_the_demo_loads_signed_documents_rotation_shares_and_exchanges_and_is_idempotent() -> None:
    lines: list[str] = []
    accounts_demo_load(lines.append)
    facade.demo_load(lines.append)
    facade.demo_load(lines.append)

    assert Document.objects.count() == 20
    assert all(d.versions.filter(signatures__isnull=False).exists() for d in Document.objects.all())
    assert Document.objects.filter(current_version__gt=1).count() >= 3
    assert SigningKey.objects.filter(user__email="staff@demo.example").count() == 2
    assert Share.objects.count() == 2 and ShareAccess.objects.filter(result="not_on_list").count() == 1
    resident = User.objects.get(email="resident@demo.example")
    assert len(facade.exchanges_about(resident)) == 2
    assert DataAccessLog.objects.filter(resident=resident, channel="inter_agency").exists()
    assert verification.signature_log_verify().ok and verification.message_log_verify().ok
    for signature in Signature.objects.all():
        assert verification.check_signature(signature).ok
    assert "documents: already loaded" in lines
