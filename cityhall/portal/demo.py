# ruff: noqa: E501 - demo content: long sentences read better unwrapped
"""The demo city's information: topics and pages, help with online services, services by life event,
and the new-resident checklist. Safe to run twice: what exists is left as it is."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from cityhall.accounts.facade import departments
from cityhall.portal.models import DirectoryService, InfoPage, LifeEvent, NewResidentStep, PageKind, Topic
from cityhall.portal.search import search_rebuild
from cityhall.portal.services import directory_service_save, info_page_save

TOPICS = [
    # slug, name, Spanish, Arabic, summary
    (
        "living",
        "Living in Aldermere",
        "Vivir en Aldermere",
        "العيش في ألدرمير",
        "Offices, libraries and everyday life.",
    ),
    (
        "bins",
        "Bins and recycling",
        "Basuras y reciclaje",
        "النفايات وإعادة التدوير",
        "Collection days and what goes where.",
    ),
    ("getting-around", "Getting around", "Moverse por la ciudad", "التنقل", "Buses, cycling and parking."),
    (
        "family",
        "Family, health and care",
        "Familia, salud y cuidados",
        "الأسرة والصحة والرعاية",
        "Childcare, schools, care.",
    ),
    (
        "council",
        "The council and elections",
        "El ayuntamiento y las elecciones",
        "المجلس والانتخابات",
        "How the city decides.",
    ),
]

PAGES = [
    # slug, kind, topic, title, summary, body, {language: (title, summary, body)}
    (
        "bin-collection-days",
        PageKind.INFORMATION,
        "bins",
        "Bin collection days",
        "When your bins are emptied and what to do if one is missed.",
        "Bins are emptied once a week. Your day depends on your district.\n\n"
        "- Old Town and Riverside: Monday\n- North Hill and Eastfield: Tuesday\n- Harbour and Westbrook: Wednesday\n\n"
        "Put your bin out by 7 in the morning, with the lid closed.\n\n"
        "## If your bin was missed\n\nTell us the same day. [Report a missed bin](/report/BIN/) and we collect it the "
        "next working day.",
        {
            "es": (
                "Días de recogida de basura",
                "Cuándo se vacían los contenedores y qué hacer si se olvidan del suyo.",
                "Los contenedores se vacían una vez por semana. El día depende de su distrito.\n\n"
                "- Casco Antiguo y Ribera: lunes\n- Colina Norte y Campo Este: martes\n- Puerto y Arroyo Oeste: miércoles\n\n"
                "Saque el contenedor antes de las 7 de la mañana, con la tapa cerrada.",
            ),
            "ar": (
                "أيام جمع النفايات",
                "متى تُفرَغ الحاويات وماذا تفعل إذا لم تُجمع حاويتك.",
                "تُفرَغ الحاويات مرة في الأسبوع. يعتمد اليوم على الحي الذي تسكن فيه.\n\n"
                "ضع الحاوية في الخارج قبل الساعة السابعة صباحاً وغطاؤها مغلق.",
            ),
        },
    ),
    (
        "recycling",
        PageKind.INFORMATION,
        "bins",
        "What goes in which bin",
        "Sorting your rubbish so more of it can be recycled.",
        "- Blue bin: paper, cardboard, cans, plastic bottles\n- Brown bin: food and garden waste\n"
        "- Grey bin: everything else\n\nTake glass, batteries and old electrical things to a recycling centre. "
        "Large items like sofas are collected on request.",
        {},
    ),
    (
        "parking",
        PageKind.INFORMATION,
        "getting-around",
        "Parking in the city",
        "Where you can park, and permits for residents.",
        "Most streets in the Old Town are for residents with a permit. Visitors can use the car parks at the "
        "station and at Harbour.\n\nIf you live here and have a car, [apply for a resident parking permit](/services/"
        "parking-permit/).",
        {},
    ),
    (
        "buses-and-cycling",
        PageKind.INFORMATION,
        "getting-around",
        "Buses and cycling",
        "Bus lines, tickets and the cycle network.",
        "Buses run every 10 minutes on weekdays. Tickets are sold on the bus and in the city app.\n\n"
        "There are 40 km of cycle lanes. You can take a bike on the bus outside rush hours.",
        {},
    ),
    (
        "city-offices",
        PageKind.INFORMATION,
        "living",
        "City offices and opening hours",
        "Where to go in person and when.",
        "The main office is at City Hall, 1 Market Square.\n\n"
        "- Monday to Friday: 8:00 to 15:00\n- Thursday: also 16:00 to 19:00\n\n"
        "Staff can help you with any online service at the counter. You can also call 0100 200 300.",
        {
            "es": (
                "Oficinas municipales y horarios",
                "Dónde ir en persona y cuándo.",
                "La oficina principal está en el Ayuntamiento, Plaza del Mercado 1.\n\n"
                "- De lunes a viernes: de 8:00 a 15:00\n- Jueves: también de 16:00 a 19:00",
            ),
        },
    ),
    (
        "libraries",
        PageKind.INFORMATION,
        "living",
        "Libraries",
        "Borrow books, use a computer, get help online.",
        "There are three libraries: Old Town, Eastfield and Harbour. Membership is free for everyone who lives "
        "in the city.\n\nEvery library has computers and free Wi-Fi, and staff who can help you use online services.",
        {},
    ),
    (
        "childcare-and-schools",
        PageKind.INFORMATION,
        "family",
        "Childcare and schools",
        "Finding a nursery or school place.",
        "Apply for a nursery place at least three months before you need it. School places are given by "
        "address; you can ask for another school.",
        {},
    ),
    (
        "local-elections",
        PageKind.INFORMATION,
        "council",
        "Voting in local elections",
        "Who can vote and how to register.",
        "You can vote in local elections if you are 16 or over and have lived in the city for three months. "
        "You are added to the list when you register your address.",
        {},
    ),
    (
        "create-an-account",
        PageKind.DIGITAL_HELP,
        None,
        "Creating an account",
        "What an account is for, and how to make one in five minutes.",
        "You do not need an account to read information or report a problem. With one, you can follow your "
        "reports and keep your new-resident checklist.\n\n"
        "1. Choose Create an account at the top of any page.\n2. Type your email address and a long password.\n"
        "3. Open the email we send you and choose the link in it.\n\n"
        "A good password is a few words you can remember, like four random words. It must be at least 15 "
        "characters long.",
        {
            "es": (
                "Crear una cuenta",
                "Para qué sirve una cuenta y cómo crearla en cinco minutos.",
                "No necesita una cuenta para leer información ni para avisar de un problema.\n\n"
                "1. Elija Crear una cuenta arriba en cualquier página.\n2. Escriba su correo y una contraseña larga.\n"
                "3. Abra el correo que le enviamos y elija el enlace.",
            ),
            "ar": (
                "إنشاء حساب",
                "لماذا الحساب وكيف تنشئه في خمس دقائق.",
                "لا تحتاج إلى حساب لقراءة المعلومات أو للإبلاغ عن مشكلة.\n\n"
                "1. اختر إنشاء حساب في أعلى أي صفحة.\n2. اكتب بريدك الإلكتروني وكلمة مرور طويلة.\n"
                "3. افتح الرسالة التي نرسلها واختر الرابط الموجود فيها.",
            ),
        },
    ),
    (
        "report-a-problem-online",
        PageKind.DIGITAL_HELP,
        None,
        "Reporting a problem online, step by step",
        "How to tell the city about a pothole, a broken light or rubbish.",
        "1. Choose Report a problem.\n2. Choose what kind of problem it is.\n"
        "3. Say where it is: an address, or the coordinates from your phone's map.\n"
        "4. Look at the reports already made nearby. If yours is there, follow it instead.\n"
        "5. Describe the problem and add a photo if you can.\n\n"
        "You get a reference like 7KQ2M-XH4PD. Keep it: you can look the report up with it.",
        {},
    ),
    (
        "staying-safe-online",
        PageKind.DIGITAL_HELP,
        None,
        "Staying safe online",
        "Simple habits that protect your account.",
        "- Use a different password for every website.\n- The city never asks for your password by email or phone.\n"
        "- Check the address in your browser starts with the city's address before you sign in.",
        {},
    ),
    (
        "help-in-person",
        PageKind.DIGITAL_HELP,
        None,
        "Getting help in person or by phone",
        "You can always do things with a person instead.",
        "Staff at any city office can fill in a request with you. You can also call 0100 200 300 on weekdays.\n\n"
        "Libraries have computers and people who can show you how to use online services.",
        {},
    ),
]

LIFE_EVENTS = [
    (
        "moving-to-the-city",
        "Moving to the city",
        "Mudarse a la ciudad",
        "الانتقال إلى المدينة",
        "Settle in: address, bins, parking, library.",
    ),
    (
        "having-a-baby",
        "Having a baby",
        "Tener un bebé",
        "إنجاب طفل",
        "Register the birth, find childcare, get family support.",
    ),
    (
        "starting-a-business",
        "Starting a business",
        "Abrir un negocio",
        "بدء عمل تجاري",
        "Register, get permits, pay local taxes.",
    ),
    (
        "getting-older",
        "Getting older",
        "Hacerse mayor",
        "التقدم في السن",
        "Care at home, transport, staying active.",
    ),
]

SERVICES = [
    # slug, department, life events, report code, online url, texts
    (
        "register-your-address",
        "clerk",
        ["moving-to-the-city"],
        "",
        "",
        {
            "name": "Register your address",
            "summary": "Tell the city where you live. You need this for voting, schools and many other services.",
            "who_can_use": "Everyone who moves to the city or within it.",
            "how_online": "Sign in, then fill in the form with your new address and the date you moved.",
            "how_offline": "At any city office. Bring your identity document.",
            "documents_needed": "- An identity document\n- Your rental contract or deed",
            "fees": "Free.",
            "time_it_takes": "Done on the spot at an office; 2 working days online.",
        },
    ),
    (
        "parking-permit",
        "roads",
        ["moving-to-the-city"],
        "",
        "",
        {
            "name": "Resident parking permit",
            "summary": "A permit to park in the residents' zones near your home.",
            "who_can_use": "People registered at an address in a residents' zone who own or lease a car.",
            "how_online": "Apply with your car's registration number.",
            "how_offline": "At City Hall or by post.",
            "documents_needed": "- Your car's registration document",
            "fees": "60 a year; half for electric cars.",
            "time_it_takes": "5 working days.",
        },
    ),
    (
        "bin-service",
        "waste",
        ["moving-to-the-city"],
        "BIN",
        "",
        {
            "name": "Bins for your home",
            "summary": "Get bins for a new home, replace a broken one, or report a missed collection.",
            "who_can_use": "Every household.",
            "how_online": "Report a missed or broken bin online.",
            "how_offline": "Call the waste team on 0100 200 310.",
            "fees": "Included in the local tax.",
            "time_it_takes": "New bins within 10 working days.",
        },
    ),
    (
        "library-card",
        "social",
        ["moving-to-the-city", "getting-older"],
        "",
        "",
        {
            "name": "Library card",
            "summary": "Borrow books, films and use the computers in every library.",
            "who_can_use": "Everyone who lives, works or studies in the city.",
            "how_offline": "At any library with an identity document.",
            "fees": "Free.",
            "time_it_takes": "On the spot.",
        },
    ),
    (
        "property-tax",
        "finance",
        ["moving-to-the-city", "starting-a-business"],
        "",
        "",
        {
            "name": "Local property tax",
            "summary": "The yearly tax on homes and business premises, which pays for bins, streets and parks.",
            "who_can_use": "Owners of homes and premises in the city.",
            "how_online": "See your bill and pay by direct debit.",
            "how_offline": "At the finance office or by bank transfer.",
            "time_it_takes": "Bills are sent in March.",
        },
    ),
    (
        "register-a-birth",
        "clerk",
        ["having-a-baby"],
        "",
        "",
        {
            "name": "Register a birth",
            "summary": "Every birth must be registered within 15 days.",
            "who_can_use": "Parents of a child born in the city.",
            "how_offline": "At the registry office in City Hall. Book a time by phone.",
            "documents_needed": "- The hospital's birth report\n- Both parents' identity documents",
            "fees": "Free. Extra copies of the certificate cost 10.",
            "time_it_takes": "30 minutes at the office.",
        },
    ),
    (
        "childcare-place",
        "social",
        ["having-a-baby", "moving-to-the-city"],
        "",
        "",
        {
            "name": "Childcare place",
            "summary": "A place at a city nursery for children from 1 to 3.",
            "who_can_use": "Families living in the city.",
            "how_online": "Apply at least three months before you need the place.",
            "how_offline": "At the social services office.",
            "fees": "Depends on household income; free for the lowest incomes.",
            "time_it_takes": "An answer within 4 weeks.",
        },
    ),
    (
        "business-registration",
        "finance",
        ["starting-a-business"],
        "",
        "",
        {
            "name": "Register a business",
            "summary": "Register a new business or shop with the city.",
            "who_can_use": "Anyone starting a business based in the city.",
            "how_online": "Fill in the form and upload your documents.",
            "how_offline": "At the business desk in City Hall.",
            "documents_needed": "- Identity document\n- Proof of the premises (lease or deed)",
            "fees": "50.",
            "time_it_takes": "10 working days.",
        },
    ),
    (
        "market-stall-permit",
        "planning",
        ["starting-a-business"],
        "",
        "",
        {
            "name": "Market stall permit",
            "summary": "A place at the Saturday market or a street stall.",
            "who_can_use": "Registered businesses and makers.",
            "how_offline": "Apply at the planning office.",
            "fees": "From 15 a day.",
            "time_it_takes": "2 weeks.",
        },
    ),
    (
        "home-care",
        "social",
        ["getting-older"],
        "",
        "",
        {
            "name": "Help at home",
            "summary": "Visits to help with washing, meals and medicines, so you can stay at home.",
            "who_can_use": "Residents who need help after an assessment.",
            "how_offline": "Call social services on 0100 200 320; someone visits you to talk about what you need.",
            "fees": "Depends on income.",
            "time_it_takes": "An assessment within 2 weeks.",
        },
    ),
    (
        "report-a-pothole",
        "roads",
        [],
        "POTHOLE",
        "",
        {
            "name": "Report a pothole",
            "summary": "Tell us about holes in roads, cycle lanes and car parks.",
            "who_can_use": "Anyone.",
            "how_online": "Report it online with its location and a photo.",
            "how_offline": "Call 0100 200 300.",
            "fees": "Free.",
            "time_it_takes": "Inspected within 3 days.",
        },
    ),
]

STEPS = [
    # order, title, Spanish title, description, weeks, service slug
    (
        1,
        "Register your address",
        "Registre su domicilio",
        "Do this first: many services need it.",
        2,
        "register-your-address",
    ),
    (
        2,
        "Get your bins",
        "Consiga sus contenedores",
        "Check your bins are there and learn your collection day.",
        2,
        "bin-service",
    ),
    (
        3,
        "Parking permit, if you have a car",
        "Permiso de aparcamiento, si tiene coche",
        "",
        4,
        "parking-permit",
    ),
    (
        4,
        "Check the local property tax",
        "Revise el impuesto local",
        "If you own your home.",
        8,
        "property-tax",
    ),
    (
        5,
        "Find childcare or a school place",
        "Busque guardería o colegio",
        "If you have children.",
        4,
        "childcare-place",
    ),
    (
        6,
        "Get a library card",
        "Consiga el carné de biblioteca",
        "Free, with computers and help online.",
        None,
        "library-card",
    ),
    (
        7,
        "Create an account on this website",
        "Cree una cuenta en esta web",
        "Follow your requests and keep this list.",
        None,
        None,
    ),
]


def _department_ids() -> dict[str, object]:
    return {department.slug: department.id for department in departments()}


@transaction.atomic
def demo_load(log: Callable[[str], None]) -> None:
    for order, (slug, name, name_es, name_ar, summary) in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_translations": {"es": name_es, "ar": name_ar},
                "summary": summary,
                "order": order,
            },
        )
    topics = {topic.slug: topic.pk for topic in Topic.objects.all()}
    for order, (slug, kind, topic, title, summary, body, translations) in enumerate(PAGES, start=1):
        if InfoPage.objects.filter(slug=slug).exists():
            continue
        page = info_page_save(
            actor=None,
            page_id=None,
            language="en",
            slug=slug,
            kind=kind,
            topic_id=topics.get(topic) if topic else None,
            title=title,
            summary=summary,
            body=body,
        )
        InfoPage.objects.filter(pk=page.pk).update(order=order)
        for language, (t_title, t_summary, t_body) in translations.items():
            info_page_save(
                actor=None, page_id=page.pk, language=language, title=t_title, summary=t_summary, body=t_body
            )
    for order, (slug, name, name_es, name_ar, summary) in enumerate(LIFE_EVENTS, start=1):
        LifeEvent.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_translations": {"es": name_es, "ar": name_ar},
                "summary": summary,
                "order": order,
            },
        )
    events = {event.slug: event.pk for event in LifeEvent.objects.all()}
    department_ids = _department_ids()
    for slug, department, event_slugs, report_code, online_url, texts in SERVICES:
        if DirectoryService.objects.filter(slug=slug).exists() or department not in department_ids:
            continue
        directory_service_save(
            actor=None,
            service_id=None,
            language="en",
            texts=texts,
            slug=slug,
            department_id=department_ids[department],  # type: ignore[arg-type]
            life_event_ids=[events[e] for e in event_slugs],
            online_url=online_url,
            report_service_code=report_code,
        )
    services = {service.slug: service for service in DirectoryService.objects.all()}
    for order, title, title_es, description, weeks, service_slug in STEPS:
        NewResidentStep.objects.get_or_create(
            order=order,
            defaults={
                "title": title,
                "title_translations": {"es": title_es},
                "description": description,
                "within_weeks": weeks,
                "service": services.get(service_slug) if service_slug else None,
            },
        )
    indexed = search_rebuild()
    log(
        f"{InfoPage.objects.count()} city pages, {DirectoryService.objects.count()} services in "
        f"{LifeEvent.objects.count()} life events, {NewResidentStep.objects.count()} new-resident steps, "
        f"{indexed} search entries."
    )
