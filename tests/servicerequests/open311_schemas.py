"""JSON Schemas (draft 4) for Open311 GeoReport v2 responses, written from the fact sheet
(shared/standards/open311-georeport-v2.md §3-§11): string IDs, enums for status and datatype, booleans
as booleans, lat/long as numbers, datetimes with a mandatory zone, description at most 4,000 characters."""

from __future__ import annotations

from typing import Any

W3C_DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
STRING_OR_NULL: dict[str, Any] = {"type": ["string", "null"]}
DATETIME = {"type": "string", "pattern": W3C_DATETIME}
DATETIME_OR_NULL = {"type": ["string", "null"], "pattern": W3C_DATETIME}

SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
    "additionalProperties": False,
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": STRING_OR_NULL,
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": STRING_OR_NULL,
        "group": STRING_OR_NULL,
    },
}
SERVICES = {"type": "array", "items": SERVICE}

ATTRIBUTE = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "datatype_description", "order", "description"],
    "additionalProperties": False,
    "properties": {
        "variable": {"type": "boolean"},
        "code": {"type": "string"},
        "datatype": {
            "type": "string",
            "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"],
        },
        "required": {"type": "boolean"},
        "datatype_description": STRING_OR_NULL,
        "order": {"type": "integer", "minimum": 1},
        "description": {"type": "string"},
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "name"],
                "additionalProperties": False,
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
            },
        },
    },
}
SERVICE_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "additionalProperties": False,
    "properties": {"service_code": {"type": "string"}, "attributes": {"type": "array", "items": ATTRIBUTE}},
}

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
REQUEST = {
    "type": "object",
    "required": REQUEST_FIELDS,
    "additionalProperties": False,
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": STRING_OR_NULL,
        "service_name": {"type": "string"},
        "service_code": {"type": "string"},
        "description": {"type": ["string", "null"], "maxLength": 4000},
        "agency_responsible": STRING_OR_NULL,
        "service_notice": STRING_OR_NULL,
        "requested_datetime": DATETIME,
        "updated_datetime": DATETIME,
        "expected_datetime": DATETIME_OR_NULL,
        "address": STRING_OR_NULL,
        "address_id": STRING_OR_NULL,
        "zipcode": STRING_OR_NULL,
        "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "long": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
        "media_url": {"type": ["string", "null"], "format": "uri"},
    },
}
REQUESTS = {"type": "array", "items": REQUEST}

CREATED = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["service_request_id"],
        "additionalProperties": False,
        "not": {"required": ["token"]},
        "properties": {
            "service_request_id": {"type": "string"},
            "service_notice": STRING_OR_NULL,
            "account_id": STRING_OR_NULL,
        },
    },
}

ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": ["integer", "string"]},
            "description": {"type": "string", "minLength": 10},
        },
    },
}

DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "additionalProperties": False,
    "properties": {
        "changeset": {"type": "string"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "additionalProperties": False,
                "properties": {
                    "specification": {"type": "string", "enum": ["http://wiki.open311.org/GeoReport_v2"]},
                    "url": {"type": "string"},
                    "changeset": {"type": "string"},
                    "type": {"type": "string", "enum": ["production", "test"]},
                    "formats": {
                        "type": "array",
                        "items": {"type": "string", "enum": ["text/xml", "application/json"]},
                    },
                },
            },
        },
    },
}

UPDATES = {
    "type": "array",
    "items": {
        "type": "object",
        "required": [
            "update_id",
            "service_request_id",
            "status",
            "updated_datetime",
            "description",
            "media_url",
        ],
        "additionalProperties": False,
        "properties": {
            "update_id": {"type": "string"},
            "service_request_id": {"type": "string"},
            "status": {
                "type": "string",
                "enum": [
                    "open",
                    "investigating",
                    "in_progress",
                    "action_scheduled",
                    "fixed",
                    "closed",
                    "duplicate",
                    "not_councils_responsibility",
                ],
            },
            "updated_datetime": DATETIME,
            "description": {"type": "string"},
            "media_url": {"type": "string"},
        },
    },
}
