"""/api/v1/notifications/: delivery receipts pushed by the SMS gateway."""

from __future__ import annotations

import hmac
import uuid

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema

from cityhall.core.api import ERROR_RESPONSES
from cityhall.core.errors import ApiError
from cityhall.notifications import services

router = Router(tags=["notifications"])


class ReceiptIn(Schema):
    reference: uuid.UUID = Field(..., description="The delivery id sent to the gateway as `reference`.")
    status: str = Field(..., max_length=30, description="The gateway's word: delivered, failed, ...")


class ReceiptOut(Schema):
    status: str | None


@router.post(
    "/receipts/sms",
    response={200: ReceiptOut, **ERROR_RESPONSES},
    auth=None,
    summary="Delivery receipt from the SMS gateway (Authorization: Bearer <SMS_GATEWAY_RECEIPT_TOKEN>)",
)
def sms_receipt(request: HttpRequest, payload: ReceiptIn) -> dict[str, str | None]:
    expected = settings.SMS_GATEWAY_RECEIPT_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(401, "not_authenticated", "Send the receipt token as 'Authorization: Bearer <token>'.")
    status = services.delivery_receipt(delivery_id=payload.reference, provider_status=payload.status)
    return {"status": str(status) if status else None}
