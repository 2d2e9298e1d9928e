"""The demo city Aldermere's open data: about 30 datasets across its departments, with CSV files made
in code (deterministic: the same bytes on every run), a few loaded into the DataStore."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from cityhall.accounts.facade import departments
from cityhall.catalog import services
from cityhall.catalog.models import Dataset, DatasetState

DISTRICTS = ["Old Town", "Riverside", "North Hill", "Eastgate", "Millbrook", "Southfield"]
MONTHS = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13)]
STATIONS = ["Old Town Square", "Riverside Park", "Ring Road East", "North Hill School"]


def _rng(key: str) -> random.Random:
    return random.Random(zlib.crc32(key.encode()))


def _csv(header: list[str], rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def budget(year: int) -> Callable[[random.Random], bytes]:
    def make(rng: random.Random) -> bytes:
        areas = [
            "Public Works",
            "Parks and Trees",
            "Waste and Recycling",
            "Social Services",
            "Emergency Management",
            "Digital Services",
            "Urban Planning",
            "Environment and Climate",
            "Council",
            "Finance",
        ]
        lines = ["Staff", "Operations", "Investment", "Grants"]
        rows: list[list[object]] = []
        for area in areas:
            for line in lines:
                planned = rng.randint(80, 2400) * 1000
                rows.append([year, area, line, planned, int(planned * rng.uniform(0.82, 1.04))])
        return _csv(["year", "department", "budget_line", "planned_eur", "spent_eur"], rows)

    return make


def air_quality(rng: random.Random) -> bytes:
    rows: list[list[object]] = []
    day = dt.date(2025, 1, 1)
    for offset in range(180):
        date = day + dt.timedelta(days=offset)
        for station in STATIONS:
            rows.append(
                [
                    date.isoformat(),
                    station,
                    round(rng.uniform(4, 38), 1),
                    round(rng.uniform(9, 55), 1),
                    round(rng.uniform(8, 48), 1),
                ]
            )
    return _csv(["date", "station", "pm25_ugm3", "pm10_ugm3", "no2_ugm3"], rows)


def per_month_district(columns: list[str], low: int, high: int) -> Callable[[random.Random], bytes]:
    def make(rng: random.Random) -> bytes:
        rows = [
            [month, district, *(rng.randint(low, high) for _ in columns)]
            for month in MONTHS
            for district in DISTRICTS
        ]
        return _csv(["month", "district", *columns], rows)

    return make


def service_requests(rng: random.Random) -> bytes:
    types = ["Pothole", "Streetlight out", "Graffiti", "Overflowing bin", "Fallen tree", "Noise"]
    rows = [
        [month, district, kind, rng.randint(0, 60), round(rng.uniform(0.5, 9.0), 1)]
        for month in MONTHS
        for district in DISTRICTS
        for kind in types
    ]
    return _csv(["month", "district", "service_type", "requests", "median_days_to_close"], rows)


def trees(rng: random.Random) -> bytes:
    species = [
        "Tilia cordata",
        "Acer platanoides",
        "Platanus x hispanica",
        "Quercus robur",
        "Betula pendula",
        "Prunus avium",
    ]
    rows = [
        [
            f"T{index:05d}",
            rng.choice(species),
            rng.choice(DISTRICTS),
            rng.randint(1950, 2024),
            round(rng.uniform(2, 28), 1),
            round(51.50 + rng.uniform(-0.04, 0.04), 5),
            round(-0.12 + rng.uniform(-0.06, 0.06), 5),
        ]
        for index in range(1, 401)
    ]
    return _csv(["tree_id", "species", "district", "planted_year", "height_m", "latitude", "longitude"], rows)


def places(kind: str, count: int, extra: list[str]) -> Callable[[random.Random], bytes]:
    def make(rng: random.Random) -> bytes:
        rows = []
        for index in range(1, count + 1):
            values = [
                rng.choice(["yes", "no"]) if column.startswith("has_") else rng.randint(10, 400)
                for column in extra
            ]
            rows.append(
                [
                    f"{kind} {index}",
                    rng.choice(DISTRICTS),
                    round(51.50 + rng.uniform(-0.04, 0.04), 5),
                    round(-0.12 + rng.uniform(-0.06, 0.06), 5),
                    *values,
                ]
            )
        return _csv(["name", "district", "latitude", "longitude", *extra], rows)

    return make


def road_works(rng: random.Random) -> bytes:
    streets = [
        "High Street",
        "Mill Lane",
        "River Road",
        "Station Avenue",
        "Church Street",
        "Park Row",
        "Market Place",
    ]
    rows = []
    for index in range(1, 61):
        start = dt.date(2025, 1, 6) + dt.timedelta(days=rng.randint(0, 300))
        rows.append(
            [
                f"RW-{index:04d}",
                rng.choice(streets),
                rng.choice(DISTRICTS),
                start.isoformat(),
                (start + dt.timedelta(days=rng.randint(2, 60))).isoformat(),
                rng.choice(["planned", "in progress", "done"]),
            ]
        )
    return _csv(["works_id", "street", "district", "starts", "ends", "status"], rows)


def population(rng: random.Random) -> bytes:
    rows = []
    for district in DISTRICTS:
        base = rng.randint(9000, 26000)
        for year in range(2016, 2026):
            base = int(base * rng.uniform(0.99, 1.025))
            rows.append([year, district, base, round(rng.uniform(36, 44), 1)])
    return _csv(["year", "district", "residents", "median_age"], rows)


def energy(rng: random.Random) -> bytes:
    buildings = [
        "City Hall",
        "Central Library",
        "Riverside Pool",
        "Depot North",
        "Eastgate School",
        "Fire Station 1",
    ]
    rows = [
        [month, building, rng.randint(8000, 90000), rng.randint(2000, 40000)]
        for month in MONTHS
        for building in buildings
    ]
    return _csv(["month", "building", "electricity_kwh", "heat_kwh"], rows)


def contracts(rng: random.Random) -> bytes:
    suppliers = [
        "Aldermere Paving Ltd",
        "GreenCycle",
        "Riverside IT",
        "Northern Lights Co",
        "Parkcare",
        "Civic Print",
    ]
    rows = []
    for index in range(1, 121):
        signed = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
        rows.append(
            [
                f"C-{2024 + index % 2}-{index:04d}",
                signed.isoformat(),
                rng.choice(suppliers),
                rng.choice(["works", "services", "supplies"]),
                rng.randint(5, 900) * 1000,
            ]
        )
    return _csv(["contract_id", "signed", "supplier", "type", "value_eur"], rows)


def meetings(rng: random.Random) -> bytes:
    bodies = ["City Council", "Planning Committee", "Finance Committee", "Environment Committee"]
    rows = []
    for index in range(1, 81):
        date = dt.date(2024, 1, 10) + dt.timedelta(days=index * 8)
        rows.append(
            [
                date.isoformat(),
                rng.choice(bodies),
                rng.randint(3, 18),
                rng.randint(1, 12),
                rng.randint(12, 31),
            ]
        )
    return _csv(["date", "body", "agenda_items", "decisions", "members_present"], rows)


@dataclass(frozen=True, slots=True)
class DemoDataset:
    name: str
    department: str
    title: str
    description: str
    themes: tuple[str, ...]
    keywords: tuple[str, ...]
    frequency: str
    make: Callable[[random.Random], bytes]
    file_name: str
    title_es: str = ""
    license_id: str = "CC-BY-4.0"
    datastore: bool = False
    temporal: tuple[str, str] | None = None
    extra_links: tuple[tuple[str, str], ...] = field(default_factory=tuple)


DATASETS = [
    DemoDataset(
        "budget-2024",
        "finance",
        "City budget 2024",
        "Planned and actual spending of every department in 2024, by budget line.",
        ("ECON", "GOVE"),
        ("budget", "spending", "finance"),
        "ANNUAL",
        budget(2024),
        "budget-2024.csv",
        "Presupuesto municipal 2024",
        temporal=("2024-01-01", "2024-12-31"),
    ),
    DemoDataset(
        "budget-2025",
        "finance",
        "City budget 2025",
        "Planned and actual spending of every department in 2025, by budget line.",
        ("ECON", "GOVE"),
        ("budget", "spending", "finance"),
        "ANNUAL",
        budget(2025),
        "budget-2025.csv",
        "Presupuesto municipal 2025",
        datastore=True,
        temporal=("2025-01-01", "2025-12-31"),
    ),
    DemoDataset(
        "budget-2026",
        "finance",
        "City budget 2026 (adopted)",
        "The budget the council adopted for 2026; spending columns fill in during the year.",
        ("ECON", "GOVE"),
        ("budget", "finance"),
        "ANNUAL",
        budget(2026),
        "budget-2026.csv",
        "Presupuesto municipal 2026",
    ),
    DemoDataset(
        "public-contracts",
        "finance",
        "Public contracts",
        "Contracts the city signed: supplier, type and value.",
        ("ECON", "GOVE"),
        ("procurement", "contracts"),
        "MONTHLY",
        contracts,
        "contracts.csv",
        "Contratos públicos",
        datastore=True,
    ),
    DemoDataset(
        "air-quality-daily",
        "environment",
        "Air quality, daily means",
        "Daily mean PM2.5, PM10 and NO2 at the city's four monitoring stations.",
        ("ENVI", "HEAL"),
        ("air quality", "pollution", "pm2.5"),
        "DAILY",
        air_quality,
        "air-quality-2025.csv",
        "Calidad del aire, medias diarias",
        datastore=True,
        temporal=("2025-01-01", "2025-06-29"),
    ),
    DemoDataset(
        "noise-levels",
        "environment",
        "Noise levels by district",
        "Monthly mean day and night noise levels (dB) per district.",
        ("ENVI", "HEAL"),
        ("noise", "pollution"),
        "MONTHLY",
        per_month_district(["day_db", "night_db"], 38, 72),
        "noise.csv",
        "Niveles de ruido",
    ),
    DemoDataset(
        "energy-city-buildings",
        "environment",
        "Energy use of city buildings",
        "Electricity and heat used each month by the city's largest buildings.",
        ("ENER", "ENVI"),
        ("energy", "buildings", "climate"),
        "MONTHLY",
        energy,
        "energy.csv",
        "Consumo energético de edificios municipales",
        datastore=True,
    ),
    DemoDataset(
        "water-quality",
        "environment",
        "River water quality",
        "Monthly samples of the river: temperature, oxygen and E. coli per sampling point.",
        ("ENVI",),
        ("water", "river"),
        "MONTHLY",
        per_month_district(["temperature_c", "oxygen_mgl", "ecoli_cfu"], 2, 400),
        "water-quality.csv",
    ),
    DemoDataset(
        "service-requests-monthly",
        "digital",
        "Service requests per month",
        "Reports from residents (potholes, streetlights, graffiti, ...) per month, district and type, "
        "with the median days to close.",
        ("GOVE", "REGI"),
        ("service requests", "311", "potholes"),
        "MONTHLY",
        service_requests,
        "service-requests.csv",
        "Solicitudes de servicio por mes",
        datastore=True,
    ),
    DemoDataset(
        "wifi-hotspots",
        "digital",
        "Public Wi-Fi hotspots",
        "Where the city's free Wi-Fi is available.",
        ("TECH", "REGI"),
        ("wifi", "internet"),
        "IRREG",
        places("Hotspot", 45, ["capacity"]),
        "wifi-hotspots.csv",
        "Puntos de Wi-Fi público",
    ),
    DemoDataset(
        "website-visits",
        "digital",
        "City website visits",
        "Monthly visits to the city's website per district of the visitor (approximate).",
        ("GOVE", "TECH"),
        ("website", "digital services"),
        "MONTHLY",
        per_month_district(["visits", "unique_visitors"], 500, 9000),
        "website-visits.csv",
    ),
    DemoDataset(
        "open-data-downloads",
        "open-data",
        "Open data downloads",
        "How often the catalog's files were downloaded each month.",
        ("GOVE", "TECH"),
        ("open data", "statistics"),
        "MONTHLY",
        per_month_district(["downloads", "api_calls"], 10, 3000),
        "downloads.csv",
        license_id="CC0-1.0",
    ),
    DemoDataset(
        "street-trees",
        "parks",
        "Street trees",
        "Every street tree the city looks after: species, height, year planted and position.",
        ("ENVI", "REGI"),
        ("trees", "urban forest"),
        "QUARTERLY",
        trees,
        "street-trees.csv",
        "Arbolado urbano",
        datastore=True,
        license_id="ODbL-1.0",
    ),
    DemoDataset(
        "parks-and-playgrounds",
        "parks",
        "Parks and playgrounds",
        "Parks with their size and whether they have a playground or toilets.",
        ("REGI", "SOCI"),
        ("parks", "playgrounds"),
        "ANNUAL",
        places("Park", 32, ["area_m2", "has_playground", "has_toilets"]),
        "parks.csv",
        "Parques y zonas de juego",
        license_id="ODbL-1.0",
    ),
    DemoDataset(
        "tree-planting",
        "parks",
        "Trees planted per month",
        "New trees planted each month per district.",
        ("ENVI",),
        ("trees", "planting", "climate"),
        "MONTHLY",
        per_month_district(["trees_planted"], 0, 45),
        "tree-planting.csv",
    ),
    DemoDataset(
        "waste-collected",
        "waste",
        "Waste collected per month",
        "Tonnes of household waste, recycling and garden waste collected per district and month.",
        ("ENVI",),
        ("waste", "recycling"),
        "MONTHLY",
        per_month_district(["residual_t", "recycling_t", "garden_t"], 20, 900),
        "waste.csv",
        "Residuos recogidos por mes",
        datastore=True,
    ),
    DemoDataset(
        "recycling-centres",
        "waste",
        "Recycling centres",
        "Recycling centres and bottle banks with their opening hours per week.",
        ("ENVI", "REGI"),
        ("recycling", "bottle banks"),
        "IRREG",
        places("Recycling point", 28, ["hours_per_week"]),
        "recycling-centres.csv",
    ),
    DemoDataset(
        "road-works",
        "roads",
        "Road works",
        "Planned and current road works: street, dates and status.",
        ("TRAN",),
        ("road works", "traffic"),
        "WEEKLY",
        road_works,
        "road-works.csv",
        "Obras en la vía pública",
    ),
    DemoDataset(
        "traffic-counts",
        "roads",
        "Traffic counts",
        "Monthly motor vehicle, bicycle and pedestrian counts per district.",
        ("TRAN",),
        ("traffic", "bicycles", "mobility"),
        "MONTHLY",
        per_month_district(["motor_vehicles", "bicycles", "pedestrians"], 1000, 90000),
        "traffic-counts.csv",
        "Aforos de tráfico",
        datastore=True,
    ),
    DemoDataset(
        "parking-spaces",
        "roads",
        "Public parking spaces",
        "Car parks and on-street zones with their number of spaces and charging points.",
        ("TRAN",),
        ("parking", "electric vehicles"),
        "ANNUAL",
        places("Car park", 26, ["spaces", "charging_points"]),
        "parking.csv",
        "Plazas de aparcamiento",
    ),
    DemoDataset(
        "streetlights",
        "public-works",
        "Streetlight faults",
        "Streetlight faults reported and repaired per district and month.",
        ("ENER", "REGI"),
        ("streetlights", "maintenance"),
        "MONTHLY",
        per_month_district(["reported", "repaired"], 0, 80),
        "streetlights.csv",
    ),
    DemoDataset(
        "emergency-calls",
        "emergency",
        "Emergency calls per month",
        "Calls to the emergency line per district and month.",
        ("JUST", "HEAL"),
        ("emergency", "calls"),
        "MONTHLY",
        per_month_district(["calls", "fire", "medical", "police"], 5, 400),
        "emergency-calls.csv",
        "Llamadas de emergencia por mes",
    ),
    DemoDataset(
        "emergency-shelters",
        "emergency",
        "Emergency shelters",
        "Buildings that open as shelters in an emergency, with their capacity.",
        ("JUST", "SOCI"),
        ("shelters", "emergency"),
        "ANNUAL",
        places("Shelter", 18, ["capacity", "has_generator"]),
        "shelters.csv",
        "Refugios de emergencia",
    ),
    DemoDataset(
        "council-meetings",
        "clerk",
        "Council and committee meetings",
        "Meetings of the council and its committees: items on the agenda and decisions taken.",
        ("GOVE",),
        ("council", "meetings", "decisions"),
        "MONTHLY",
        meetings,
        "meetings.csv",
        "Sesiones del concejo",
    ),
    DemoDataset(
        "social-centres",
        "social",
        "Community and social centres",
        "Community centres with the services they offer and their weekly opening hours.",
        ("SOCI",),
        ("community", "social services"),
        "ANNUAL",
        places("Community centre", 16, ["hours_per_week", "has_step_free_access"]),
        "social-centres.csv",
        "Centros sociales",
    ),
    DemoDataset(
        "library-visits",
        "social",
        "Library visits",
        "Visits and loans per library district and month.",
        ("EDUC", "SOCI"),
        ("libraries", "culture"),
        "MONTHLY",
        per_month_district(["visits", "loans"], 200, 9000),
        "library-visits.csv",
    ),
    DemoDataset(
        "population-by-district",
        "planning",
        "Population by district",
        "Residents and median age per district and year.",
        ("SOCI", "REGI"),
        ("population", "demographics"),
        "ANNUAL",
        population,
        "population.csv",
        "Población por distrito",
        datastore=True,
    ),
    DemoDataset(
        "building-permits",
        "planning",
        "Building permits",
        "Building permits applied for and granted per district and month.",
        ("REGI", "ECON"),
        ("permits", "housing"),
        "MONTHLY",
        per_month_district(["applied", "granted", "new_homes"], 0, 60),
        "building-permits.csv",
        "Licencias de obra",
    ),
    DemoDataset(
        "grants-awarded",
        "mayors-office",
        "Community grants awarded",
        "Small grants the Mayor's Office awarded to neighbourhood groups, per district and month.",
        ("GOVE", "SOCI"),
        ("grants", "community"),
        "MONTHLY",
        per_month_district(["grants", "amount_eur"], 0, 25000),
        "grants.csv",
        "Subvenciones concedidas",
    ),
    DemoDataset(
        "bike-counts",
        "roads",
        "Bicycle counters",
        "Daily bicycles counted at the city's permanent counters, by district and month.",
        ("TRAN", "ENVI"),
        ("bicycles", "mobility", "cycling"),
        "MONTHLY",
        per_month_district(["bicycles"], 300, 22000),
        "bike-counts.csv",
        "Contadores de bicicletas",
    ),
]


@transaction.atomic
def demo_load(log: Callable[[str], None]) -> None:
    by_slug = {d.slug: d for d in departments()}
    created = 0
    loaded = 0
    for spec in DATASETS:
        department = by_slug.get(spec.department)
        if department is None or Dataset.objects.filter(name=spec.name).exists():
            continue
        metadata = {
            "name": spec.name,
            "title": spec.title,
            "title_translations": {"es": spec.title_es} if spec.title_es else {},
            "description": spec.description,
            "department_id": str(department.id),
            "contact_name": f"{department.name} data team",
            "contact_email": f"{department.slug}@aldermere.example",
            "themes": list(spec.themes),
            "keywords": list(spec.keywords),
            "license_id": spec.license_id,
            "frequency": spec.frequency,
            "spatial": "Aldermere",
            "temporal_start": spec.temporal[0] if spec.temporal else None,
            "temporal_end": spec.temporal[1] if spec.temporal else None,
        }
        dataset = services.dataset_create(actor=None, metadata=metadata, state=DatasetState.DRAFT)
        content = spec.make(_rng(spec.name))
        services.distribution_create(
            actor=None,
            dataset=dataset,
            name=spec.file_name.rsplit(".", 1)[0].replace("-", " ").capitalize(),
            description="CSV, UTF-8, comma-separated, one header row.",
            upload=io.BytesIO(content),
            upload_name=spec.file_name,
            upload_size=len(content),
            datastore=spec.datastore,
        )
        services.dataset_set_state(actor=None, dataset=dataset, state=DatasetState.PUBLISHED)
        created += 1
        loaded += int(spec.datastore)
    log(f"{created} open datasets ({loaded} queued for the DataStore).")
