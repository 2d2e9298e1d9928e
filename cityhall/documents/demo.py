"""The demo city's documents: twenty signed documents (a few with several versions), one key
rotation, two shares, and two inter-agency exchanges about the demo resident."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from cityhall.accounts.facade import departments
from cityhall.documents import services
from cityhall.documents.models import Document, ExchangeRequest

# department slug, title, classification, retention years, versions, signer ("staff", "clerk" or None: seal)
DOCUMENTS = [
    ("clerk", "Council meeting minutes, 12 January 2026", "public", None, 1, "clerk"),
    ("clerk", "Council meeting minutes, 9 February 2026", "public", None, 2, "clerk"),
    ("clerk", "Council meeting minutes, 9 March 2026", "public", None, 1, "clerk"),
    ("clerk", "Ordinance 2026-03 on street trading", "public", None, 3, "clerk"),
    ("clerk", "Resolution 2026-11 adopting the climate plan", "public", None, 1, "clerk"),
    ("public-works", "Riverside Bridge inspection report 2026", "public", 30, 1, "staff"),
    ("public-works", "Road works permit RW-2026-0117, Mill Lane", "public", 10, 1, "staff"),
    ("public-works", "Winter gritting plan 2026/27", "public", 5, 2, "staff"),
    ("public-works", "Contract award: resurfacing of Harbour Road", "public", 10, 1, "staff"),
    ("public-works", "Flood defence maintenance schedule", "internal", 5, 1, "staff"),
    ("public-works", "Tender evaluation: street lighting renewal", "restricted", 7, 1, "staff"),
    ("public-works", "Road works permit RW-2026-0142, Station Square", "public", 10, 1, "staff"),
    ("public-works", "Storm drain survey, Old Town", "public", 10, 1, "staff"),
    ("finance", "Budget 2026, as adopted", "public", None, 1, None),
    ("finance", "Quarterly financial report Q1 2026", "public", 10, 1, None),
    ("planning", "Local plan consultation summary", "public", None, 1, None),
    ("planning", "Building permit BP-2026-0031, 4 Orchard Row", "public", 10, 1, None),
    ("environment", "Air quality annual report 2025", "public", None, 1, None),
    ("social", "Housing benefit decision HB-2026-0042", "personal_data", 6, 1, None),
    ("mayors-office", "Mayor's delegation of signing powers", "internal", None, 1, None),
]
ROTATE_AFTER = 8  # Sam Staff's key is rotated after the eighth document: later ones use the new key


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small valid one-page PDF with the text, so the files open in any reader."""

    def escape(text: str) -> str:
        clean = text.encode("latin-1", "replace").decode("latin-1")
        return clean.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text_ops = ["BT", "/F1 16 Tf", "72 770 Td", f"({escape(title)}) Tj", "/F1 11 Tf"]
    for line in lines:
        text_ops += ["0 -20 Td", f"({escape(line)}) Tj"]
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _content(title: str, department: str, version: int) -> bytes:
    lines = [
        f"City of Aldermere - {department}",
        f"Version {version}",
        "This is a demonstration document of the Aldermere demo city.",
    ]
    if version > 1:
        lines.append(f"Corrected and re-issued (revision {version - 1}).")
    return _pdf(title, lines)


@transaction.atomic
def demo_load(log: Callable[[str], None]) -> None:
    by_slug = {d.slug: d for d in departments()}
    users = {u.email: u for u in get_user_model().objects.filter(email__endswith="@demo.example")}
    staff = users.get("staff@demo.example")
    clerk = users.get("clerk@demo.example")
    resident = users.get("resident@demo.example")
    if not by_slug or staff is None or clerk is None or resident is None:
        log("documents: skipped (load the accounts demo first)")
        return
    if Document.objects.filter(title=DOCUMENTS[0][1]).exists():
        log("documents: already loaded")
        return
    signers = {"staff": staff, "clerk": clerk}
    created: dict[str, Document] = {}
    for index, (slug, title, classification, retention, versions, signer_key) in enumerate(
        DOCUMENTS, start=1
    ):
        department = by_slug[slug]
        signer = signers.get(signer_key) if signer_key else None
        subject_id = resident.pk if classification == "personal_data" else None
        document = services.document_register(
            actor=signer,
            department_id=department.id,
            title=title,
            file_name=f"{slug}-{index:02d}.pdf",
            content=_content(title, department.name, 1),
            media_type="application/pdf",
            classification=classification,
            retention_years=retention,
            subject_id=subject_id,
        )
        services.document_sign(actor=signer, document_id=document.pk)
        for number in range(2, versions + 1):
            services.document_add_version(
                actor=signer,
                document_id=document.pk,
                file_name=f"{slug}-{index:02d}-v{number}.pdf",
                content=_content(title, department.name, number),
                media_type="application/pdf",
            )
            services.document_sign(actor=signer, document_id=document.pk)
        created[title] = document
        if index == ROTATE_AFTER:
            key = services.user_key(staff)
            services.signing_key_rotate(actor=staff, key_id=key.pk)
    log(f"documents: {len(created)} signed documents, one key rotation (Sam Staff)")

    tender = created["Tender evaluation: street lighting renewal"]
    restricted = services.share_create(
        actor=staff,
        document_id=tender.pk,
        days=30,
        emails=["admin@demo.example"],
        department_ids=[by_slug["finance"].id],
        note="For the audit committee",
    )
    services.share_open(token=restricted.token, user=users.get("admin@demo.example"))
    services.share_open(token=restricted.token, user=resident)  # refused and logged
    schedule = created["Flood defence maintenance schedule"]
    open_link = services.share_create(
        actor=staff,
        document_id=schedule.pk,
        days=14,
        anyone_with_link=True,
        note="For the regional flood agency",
    )
    log(
        f"documents: 2 shares: /documents/shared/{restricted.token}/ (named), "
        f"/documents/shared/{open_link.token}/ (link)"
    )

    if not ExchangeRequest.objects.filter(subject=resident).exists():
        first = services.exchange_request_create(
            actor=None,
            from_department_id=by_slug["social"].id,
            to_department_id=by_slug["finance"].id,
            subject_id=resident.pk,
            purpose="Assessing a housing benefit claim",
            legal_basis="legal_obligation",
            legal_reference="Housing Benefit Regulations, reg. 7",
            data_items=["income", "household"],
            case_reference="HB-2026-0042",
        )
        services.exchange_answer(
            actor=None,
            request_id=first.pk,
            provide=True,
            data={"income": "Band B (demo value)", "household": "2 adults, 1 child (demo value)"},
        )
        services.exchange_request_create(
            actor=None,
            from_department_id=by_slug["planning"].id,
            to_department_id=by_slug["public-works"].id,
            subject_id=resident.pk,
            purpose="Checking a road works permit before approving a driveway",
            legal_basis="public_task",
            legal_reference="Highways Code of Aldermere, art. 21",
            data_items=["permits", "address"],
            case_reference="BP-2026-0031",
        )
        log("documents: 2 inter-agency exchanges about resident@demo.example (one answered, one waiting)")
