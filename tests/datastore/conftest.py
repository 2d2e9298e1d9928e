"""DataStore fixtures: a stand-in catalog with resources backed by files in a temporary folder."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cityhall.accounts.contracts import Role
from cityhall.catalog import facade as catalog_facade
from cityhall.catalog.contracts import ResourceRef
from cityhall.datastore import services
from cityhall.datastore.contracts import LoadState
from cityhall.datastore.models import LoadJob


@dataclass
class FakeCatalog:
    """Resources the DataStore can see; editors may change them, private ones only they can read."""

    folder: Path
    refs: dict[uuid.UUID, ResourceRef] = field(default_factory=dict)
    editors: set[Any] = field(default_factory=set)
    # Resources with their own editors (user pks); the others may be edited by `editors`.
    owners: dict[uuid.UUID, set[Any]] = field(default_factory=dict)

    def add(
        self,
        content: bytes | None,
        *,
        name: str = "data.csv",
        file_format: str = "CSV",
        public: bool = True,
        url: str = "",
        editors: set[Any] | None = None,
    ) -> uuid.UUID:
        resource_id = uuid.uuid4()
        if editors is not None:
            self.owners[resource_id] = editors
        path: Path | None = None
        if content is not None:
            path = self.folder / resource_id.hex / name
            path.parent.mkdir(parents=True)
            path.write_bytes(content)
        self.refs[resource_id] = ResourceRef(
            id=resource_id,
            dataset_id=uuid.uuid4(),
            dataset_name="air-quality",
            department_id=uuid.uuid4(),
            name=name,
            format=file_format,
            media_type="text/csv",
            url=url or f"https://city.example/files/{name}",
            file_path=str(path) if path else None,
            is_public=public,
        )
        return resource_id

    def replace_file(self, resource_id: uuid.UUID, content: bytes) -> None:
        ref = self.refs[resource_id]
        assert ref.file_path
        Path(ref.file_path).write_bytes(content)

    def resource_ref(self, resource_id: Any) -> ResourceRef | None:
        return self.refs.get(uuid.UUID(str(resource_id)))

    def can_read(self, user: Any, resource_id: Any) -> bool:
        ref = self.resource_ref(resource_id)
        return ref is not None and (ref.is_public or self.can_edit(user, resource_id))

    def can_edit(self, user: Any, resource_id: Any) -> bool:
        if self.resource_ref(resource_id) is None:
            return False
        editors = self.owners.get(uuid.UUID(str(resource_id)), self.editors)
        return getattr(user, "pk", None) in editors


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeCatalog:
    fake = FakeCatalog(folder=tmp_path)
    monkeypatch.setattr(catalog_facade, "resource_ref", fake.resource_ref)
    monkeypatch.setattr(catalog_facade, "user_can_read_resource", fake.can_read)
    monkeypatch.setattr(catalog_facade, "user_can_edit_resource", fake.can_edit)
    return fake


@pytest.fixture
def publisher(make_user: Callable[..., Any], catalog: FakeCatalog) -> Any:
    user = make_user(Role.DATA_PUBLISHER)
    catalog.editors.add(user.pk)
    return user


@pytest.fixture
def load(catalog: FakeCatalog) -> Callable[..., LoadJob]:
    """Ask for a load as the platform and run it at once (the queue is tested on its own)."""

    def _load(resource_id: uuid.UUID) -> LoadJob:
        job = services.datastore_load(resource_id=resource_id, actor=None)
        services.load_job_run(job_id=job.pk)
        job.refresh_from_db()
        return job

    return _load


@pytest.fixture
def loaded(catalog: FakeCatalog, load: Callable[..., LoadJob]) -> Callable[..., uuid.UUID]:
    """A resource with this CSV content, loaded successfully."""

    def _loaded(content: bytes, **kwargs: Any) -> uuid.UUID:
        resource_id = catalog.add(content, **kwargs)
        job = load(resource_id)
        assert job.state == LoadState.DONE, job.errors
        return resource_id

    return _loaded


AIR_CSV = (
    "station,measured_at,pm25,count,ok,district,note\n"
    'AB001,2024-01-01T10:00:00,12.5,3,true,North,"calm, dry"\n'
    'AB002,2024-01-01T11:00:00,40.25,7,false,South,=HYPERLINK("http://evil")\n'
    "AB003,2024-01-02T10:00:00,,12,true,North,windy\n"
    "AB004,2024-01-02T11:00:00,8,0,false,East,Ünïcödé ✓\n"
).encode()
