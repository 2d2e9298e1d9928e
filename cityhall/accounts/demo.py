"""The demo city's organisation and one account per role, all with predictable logins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from cityhall.accounts.contracts import Role
from cityhall.accounts.models import Department, User
from cityhall.accounts.services import department_create, role_assign, user_create

DEMO_PASSWORD = "aldermere river demo 2026"  # noqa: S105 - published on purpose for the demo
# Every staff demo account shares this authenticator secret (base32) so scripts can sign in.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPALDERMEREDEMO234"  # noqa: S105 - published on purpose

DEPARTMENTS = [
    # slug, name, parent slug, Spanish, Arabic
    ("mayors-office", "Mayor's Office", None, "Alcaldía", "مكتب رئيس البلدية"),
    ("public-works", "Public Works", None, "Obras Públicas", "الأشغال العامة"),
    ("roads", "Roads and Streets", "public-works", "Calles y Vías", "الطرق والشوارع"),
    ("parks", "Parks and Trees", "public-works", "Parques y Arbolado", "الحدائق والأشجار"),
    (
        "waste",
        "Waste and Recycling",
        "public-works",
        "Residuos y Reciclaje",
        "النفايات وإعادة التدوير",
    ),
    ("environment", "Environment and Climate", None, "Medio Ambiente y Clima", "البيئة والمناخ"),
    ("emergency", "Emergency Management", None, "Gestión de Emergencias", "إدارة الطوارئ"),
    (
        "digital",
        "Digital Services and Data",
        None,
        "Servicios Digitales y Datos",
        "الخدمات الرقمية والبيانات",
    ),
    (
        "open-data",
        "Open Data Office",
        "digital",
        "Oficina de Datos Abiertos",
        "مكتب البيانات المفتوحة",
    ),
    ("clerk", "Council Clerk's Office", None, "Secretaría del Concejo", "أمانة المجلس"),
    ("social", "Social Services", None, "Servicios Sociales", "الخدمات الاجتماعية"),
    ("planning", "Urban Planning", None, "Urbanismo", "التخطيط العمراني"),
    ("finance", "Finance", None, "Hacienda", "المالية"),
]


@dataclass(frozen=True, slots=True)
class DemoUser:
    email: str
    full_name: str
    role: Role | None
    department: str | None


DEMO_USERS = [
    DemoUser("resident@demo.example", "Rosa Resident", None, None),
    DemoUser("staff@demo.example", "Sam Staff", Role.DEPARTMENT_STAFF, "public-works"),
    DemoUser("moderator@demo.example", "Mona Moderator", Role.MODERATOR, "mayors-office"),
    DemoUser("publisher@demo.example", "Pablo Publisher", Role.DATA_PUBLISHER, "digital"),
    DemoUser("emergency@demo.example", "Emma Emergency", Role.EMERGENCY_MANAGER, "emergency"),
    DemoUser("emergency2@demo.example", "Omar Second-Approver", Role.EMERGENCY_MANAGER, "emergency"),
    DemoUser("clerk@demo.example", "Clara Clerk", Role.COUNCIL_CLERK, "clerk"),
    DemoUser("admin@demo.example", "Ada Administrator", Role.ADMINISTRATOR, None),
]


@transaction.atomic
def demo_load(log: Callable[[str], None]) -> list[DemoUser]:
    by_slug: dict[str, Department] = {d.slug: d for d in Department.objects.all()}
    for slug, name, parent_slug, name_es, name_ar in DEPARTMENTS:
        if slug not in by_slug:
            by_slug[slug] = department_create(
                actor=None,
                slug=slug,
                name=name,
                parent=by_slug[parent_slug] if parent_slug else None,
                name_translations={"es": name_es, "ar": name_ar},
                email=f"{slug}@aldermere.example",
            )
    for demo in DEMO_USERS:
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            user = user_create(
                actor=None,
                email=demo.email,
                password=DEMO_PASSWORD,
                full_name=demo.full_name,
                email_verified=True,
            )
        EmailAddress.objects.filter(user=user).update(verified=True)
        if demo.role is not None:
            department = by_slug[demo.department] if demo.department else None
            role_assign(actor=None, user=user, role=demo.role, department=department)
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, DEMO_TOTP_SECRET)
    log(f"{len(DEPARTMENTS)} departments and {len(DEMO_USERS)} demo accounts.")
    return DEMO_USERS
