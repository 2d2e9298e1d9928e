"""Seed facts of the operating model that are not in the shared CSV files.

Names only, from `standards/iso37106-operating-model.md`: the ISO 37120:2018 themes, the delivery
principles, the key-risk areas. Every row is editable afterwards (the ISO wording is copyrighted and
some items are reconstructed, marked "R"), so seeding never overwrites what the city changed.

The data migration `0002_seed_reference` and `seed_reference()` at run time use the same function;
if these lists change, add a new data migration rather than relying on the old one to re-run.
"""

from __future__ import annotations

from typing import Any

FRAMEWORKS = [
    # code, name, edition, publisher, mark
    (
        "u4ssc",
        "U4SSC key performance indicators for smart sustainable cities",
        "ITU-T Y.4903 collection (91 KPIs)",
        "ITU / United for Smart Sustainable Cities",
        "P",
    ),
    (
        "iso37120",
        "ISO 37120 indicators for city services and quality of life",
        "ISO 37120:2018 (2nd edition)",
        "ISO/TC 268",
        "P",
    ),
    ("local", "Local indicators", "", "", "L"),
]

# ISO 37120:2018 themes in clause order 5 to 23 (names [P], clause numbers [R]).
ISO37120_THEMES = [
    "Economy",
    "Education",
    "Energy",
    "Environment and climate change",
    "Finance",
    "Governance",
    "Health",
    "Housing",
    "Population and social conditions",
    "Recreation",
    "Safety",
    "Solid waste",
    "Sport and culture",
    "Telecommunication",
    "Transportation",
    "Urban/local agriculture and food security",
    "Urban planning",
    "Wastewater",
    "Water",
]
ISO37120_FIRST_CLAUSE = 5

# code, heading, title, source, mark
PRINCIPLES = [
    (
        "A1",
        "vision_and_leadership",
        "A clear, compelling and inclusive vision, led by the city's leaders",
        "ISO 37106:2018 4.3 (via GB/T 41150-2021)",
        "P",
    ),
    (
        "A2",
        "citizen_centricity",
        "Citizen-centric service design and delivery",
        "ISO 37106:2018 4.3 (via GB/T 41150-2021)",
        "P",
    ),
    (
        "A3",
        "digital",
        "Pervasive, integrated and interoperable digital spaces and systems",
        "ISO 37106:2018 4.3 (via GB/T 41150-2021)",
        "P",
    ),
    (
        "A4",
        "openness_and_collaboration",
        "Openness and collaboration built into city operations",
        "ISO 37106:2018 4.3 (via GB/T 41150-2021)",
        "P",
    ),
    (
        "A5",
        "citizen_centricity",
        "Design around user needs, not organisation charts",
        "OASIS TGF v2; PAS 181",
        "R",
    ),
    ("A6", "citizen_centricity", "Change services with citizens, not to them", "OASIS TGF v2; PAS 181", "R"),
    ("A7", "digital", "Grow digital take-up and the local ecosystem", "OASIS TGF v2; PAS 181", "R"),
    (
        "A8",
        "digital",
        "Treat data as a city asset: open by default, with privacy protected",
        "OASIS TGF v2; PAS 181",
        "R",
    ),
    (
        "A9",
        "openness_and_collaboration",
        "Prefer open standards, reuse and shared services",
        "OASIS TGF v2; PAS 181",
        "R",
    ),
    ("A10", "vision_and_leadership", "Lead across organisational boundaries", "OASIS TGF v2; PAS 181", "R"),
    ("A11", "vision_and_leadership", "Measure the critical success factors", "OASIS TGF v2; PAS 181", "R"),
]

# The TGF critical success factors seed the key-risk checklist: headings [R], questions [D].
RISK_AREAS = [
    ("D1", "Strategic clarity", "Is the vision agreed, measurable and actually steering decisions?"),
    ("D2", "Leadership", "Is there a senior owner with authority across organisations?"),
    ("D3", "User focus", "Are services designed from user research and life events?"),
    ("D4", "Stakeholder engagement", "Are stakeholders engaged continuously, and told what changed?"),
    ("D5", "Skills", "Does the city have the digital, data and change skills it needs?"),
    ("D6", "Supplier partnership", "Are contracts outcome-based, open and free of lock-in?"),
    ("D7", "Future-proofing", "Are standards, interoperability and exit paths secured?"),
    ("D8", "Achievable delivery", "Are scope, sequencing and resourcing realistic?"),
    ("D9", "Benefit realisation", "Are benefits owned, measured and reviewed after go-live?"),
]


def seed_reference(apps: Any) -> None:
    """Create the seed rows that are missing; leave existing rows (and the city's edits) alone."""
    framework_model = apps.get_model("operating", "IndicatorFramework")
    theme_model = apps.get_model("operating", "IndicatorTheme")
    principle_model = apps.get_model("operating", "DeliveryPrinciple")
    area_model = apps.get_model("operating", "RiskArea")
    item_model = apps.get_model("operating", "ChecklistItem")

    frameworks = {}
    for code, name, edition, publisher, mark in FRAMEWORKS:
        frameworks[code], _ = framework_model.objects.get_or_create(
            code=code, defaults={"name": name, "edition": edition, "publisher": publisher, "mark": mark}
        )
    for offset, name in enumerate(ISO37120_THEMES):
        clause = ISO37120_FIRST_CLAUSE + offset
        theme_model.objects.get_or_create(
            framework=frameworks["iso37120"],
            code=str(clause),
            defaults={"name": name, "level": "theme", "order": clause},
        )
    for order, (code, heading, title, source, mark) in enumerate(PRINCIPLES, start=1):
        principle_model.objects.get_or_create(
            code=code,
            defaults={
                "heading": heading,
                "title": title,
                "source_reference": source,
                "mark": mark,
                "order": order,
            },
        )
    for order, (code, heading, question) in enumerate(RISK_AREAS, start=1):
        area, created = area_model.objects.get_or_create(
            code=code, defaults={"heading": heading, "question": question, "mark": "R", "order": order}
        )
        if created:
            item_model.objects.create(area=area, text=question, mark="D", order=1)
