"""Area subscriptions: double opt-in on the chosen channel, one-click unsubscribe, suspension
when the address turns out not to work."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.translation import gettext as _

from cityhall.alerts import selectors
from cityhall.alerts.cap import Problem
from cityhall.alerts.contracts import AreaKind, Category, SubscriptionStatus
from cityhall.alerts.models import Subscription
from cityhall.alerts.services.alerts import ALL_CATEGORIES, category_mask
from cityhall.alerts.services.common import SubscriptionInvalidError
from cityhall.alerts.targeting import WORLD, Box, circle_box
from cityhall.core.errors import NotFoundError, ServiceError
from cityhall.core.geo import bounding_box
from cityhall.notifications.contracts import Channel, Recipient
from cityhall.notifications.facade import notification_send, webhook_address_problem

CONFIRM_SALT = "cityhall.alerts.subscription-confirm"
UNSUBSCRIBE_SALT = "cityhall.alerts.unsubscribe"
CONFIRM_MAX_AGE = dt.timedelta(days=7)
PHONE = re.compile(r"^\+[1-9]\d{7,14}$")
DEFAULT_RADIUS_KM = 1.0
MAX_RADIUS_KM = 50.0
LIMIT_PER_ADDRESS_PER_HOUR = 5


@dataclass(frozen=True, slots=True)
class SubscriptionInput:
    channel: str
    address: str
    language: str
    area: str
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None
    place: str = ""
    district: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    subscription: Subscription
    created: bool
    confirmation_sent: bool


# --- Tokens -------------------------------------------------------------------------------


def confirm_token(subscription_id: uuid.UUID) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(subscription_id))


def unsubscribe_token(subscription_id: uuid.UUID) -> str:
    """Signed, and valid for as long as the subscription exists: an unsubscribe link never expires."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription_id))


def unsubscribe_url(subscription_id: uuid.UUID) -> str:
    return selectors.absolute(reverse("alerts:unsubscribe", args=[unsubscribe_token(subscription_id)]))


class UnsubscribeLinks:
    """Many unsubscribe links at once (fan-out): the URL resolved once, and the signing key derived
    once. The tokens are exactly `signing.Signer(salt=UNSUBSCRIBE_SALT).sign(id)` (a test checks),
    computed without re-deriving the key for each of a hundred thousand recipients."""

    def __init__(self) -> None:
        marker = "TOKEN"
        url = selectors.absolute(reverse("alerts:unsubscribe", args=[marker]))
        self.prefix, self.suffix = url.split(marker)
        signer = signing.Signer(salt=UNSUBSCRIBE_SALT)
        self.key = hashlib.sha256(force_bytes(signer.salt) + b"signer" + force_bytes(signer.key)).digest()
        self.sep = signer.sep

    def token(self, subscription_id: uuid.UUID) -> str:
        value = str(subscription_id)
        digest = hmac.new(self.key, value.encode(), hashlib.sha256).digest()
        return f"{value}{self.sep}{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"

    def url(self, subscription_id: uuid.UUID) -> str:
        return f"{self.prefix}{self.token(subscription_id)}{self.suffix}"


def _subscription_from(token: str, *, salt: str, max_age: dt.timedelta | None) -> Subscription:
    try:
        if max_age is None:
            value = signing.Signer(salt=salt).unsign(token)
        else:
            value = signing.TimestampSigner(salt=salt).unsign(token, max_age=max_age)
        subscription_id = uuid.UUID(value)
    except signing.SignatureExpired as error:
        raise ServiceError(
            _("This confirmation link has expired. Subscribe again to get a new one."), code="link_expired"
        ) from error
    except (signing.BadSignature, ValueError) as error:
        raise NotFoundError(_("This link is not valid. Copy the whole link from the message.")) from error
    subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFoundError(_("This subscription no longer exists."))
    return subscription


# --- Describing a subscription ------------------------------------------------------------


def area_summary(subscription: Subscription, language: str) -> str:
    with translation.override(language):
        if subscription.kind == AreaKind.CITY:
            return _("the whole city")
        if subscription.kind == AreaKind.DISTRICT and subscription.district is not None:
            name = (subscription.district.name_translations or {}).get(language) or subscription.district.name
            return _("the district %(name)s") % {"name": name}
        where = subscription.place_text or f"{subscription.latitude:.5f}, {subscription.longitude:.5f}"
        return _("within %(km)s km of %(place)s") % {"km": f"{subscription.radius_km:g}", "place": where}


def categories_summary(mask: int, language: str) -> str:
    with translation.override(language):
        if mask == ALL_CATEGORIES:
            return _("all topics")
        return ", ".join(
            str(category.label) for index, category in enumerate(Category) if mask & (1 << index)
        )


# --- Writes -------------------------------------------------------------------------------


def _normalised_address(channel: str, address: str, problems: list[Problem]) -> str:
    address = address.strip()
    if channel == Channel.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            problems.append(Problem("address", _("Enter an email address like name@example.org.")))
        return address.lower()
    if channel == Channel.SMS:
        phone = re.sub(r"[\s().-]", "", address)
        if phone.startswith("00"):
            phone = "+" + phone[2:]
        if not PHONE.match(phone):
            problems.append(
                Problem("address", _("Enter a mobile number in international form, like +49 151 2345678."))
            )
        return phone
    if channel == Channel.WEBHOOK:
        problem = webhook_address_problem(address) if len(address) <= 500 else _("The address is too long.")
        if problem:
            problems.append(Problem("address", problem))
        return address
    problems.append(Problem("channel", _("Choose email, SMS or webhook.")))
    return address


def _area(data: SubscriptionInput, problems: list[Problem]) -> dict[str, Any]:
    if data.area == AreaKind.CITY:
        return {"kind": AreaKind.CITY, "box": WORLD}
    if data.area == AreaKind.DISTRICT:
        district = selectors.district_by_slug(data.district)
        if district is None:
            problems.append(Problem("district", _("Choose one of the city's districts.")))
            return {}
        box = bounding_box(district.boundary)
        return {
            "kind": AreaKind.DISTRICT,
            "district": district,
            "box": Box(box.min_latitude, box.min_longitude, box.max_latitude, box.max_longitude),
        }
    if data.area != AreaKind.POINT:
        problems.append(Problem("area", _("Choose an address or point, a district, or the whole city.")))
        return {}
    radius = DEFAULT_RADIUS_KM if data.radius_km is None else data.radius_km
    if not 0.1 <= radius <= MAX_RADIUS_KM:
        problems.append(Problem("radius_km", _("Choose a radius between 0.1 and 50 km.")))
    latitude, longitude, place = data.latitude, data.longitude, data.place.strip()
    if latitude is None or longitude is None:
        if not place:
            problems.append(
                Problem("place", _("Type an address or place, or give a latitude and longitude."))
            )
            return {}
        found = selectors.place_lookup(place)
        if not found:
            problems.append(
                Problem(
                    "place",
                    _("We could not find “%(place)s”. Try a street or place name of the city.")
                    % {"place": place},
                )
            )
            return {}
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            problems.append(
                Problem(
                    "place",
                    _("“%(place)s” could be several places: %(names)s. Type one of them.")
                    % {"place": place, "names": names},
                )
            )
            return {}
        latitude, longitude, place = found[0].latitude, found[0].longitude, found[0].name
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        problems.append(
            Problem("latitude", _("Latitude must be between -90 and 90, longitude between -180 and 180."))
        )
        return {}
    return {
        "kind": AreaKind.POINT,
        "latitude": latitude,
        "longitude": longitude,
        "radius_km": radius,
        "place_text": place[:200],
        "box": circle_box(latitude, longitude, radius),
    }


def _rate_limit(key: str, limit: int) -> None:
    cache_key = f"alerts:subscribe:{key}"
    cache.add(cache_key, 0, timeout=3600)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=3600)
        count = 1
    if count > limit:
        raise ServiceError(
            _("Too many subscription requests. Wait an hour and try again."), code="rate_limited", status=429
        )


def _send_confirmation(subscription: Subscription) -> None:
    language = subscription.language
    token = confirm_token(subscription.pk)
    with translation.override(language):
        personalisation = {
            "city": selectors.city_name(),
            "area": area_summary(subscription, language),
            "categories": categories_summary(subscription.category_mask, language),
            "confirm_url": selectors.absolute(reverse("alerts:subscription_confirm", args=[token])),
            "confirm_token": token,
            "confirm_api_url": selectors.absolute("/api/v1/alerts/subscriptions/confirm"),
        }
    subscription.confirmations_sent += 1
    subscription.save(update_fields=["confirmations_sent", "updated_at"])
    notification_send(
        source=f"alerts.subscription-confirm:{subscription.pk}:{subscription.confirmations_sent}",
        template_key="subscription-confirm",
        recipient=Recipient(
            channel=Channel(subscription.channel),
            address=subscription.address,
            language=language,
            reference=f"subscription:{subscription.pk}",
            unsubscribe_url=unsubscribe_url(subscription.pk),
        ),
        personalisation=personalisation,
    )


@transaction.atomic
def subscription_create(*, data: SubscriptionInput, user: Any = None) -> SubscribeResult:
    """Record the wish and send a confirmation on the chosen channel: nothing else is sent until the
    resident confirms. Asking again for the same thing resends the confirmation (within limits)."""
    problems: list[Problem] = []
    languages = dict(settings.LANGUAGES)
    if data.language not in languages:
        problems.append(Problem("language", _("Choose one of the languages offered.")))
    address = _normalised_address(data.channel, data.address, problems)
    area = _area(data, problems)
    unknown = [c for c in data.categories if c not in Category.values]
    if unknown:
        problems.append(
            Problem("categories", _("Unknown topics: %(names)s.") % {"names": ", ".join(unknown)})
        )
    if problems:
        raise SubscriptionInvalidError(problems)
    # Limited per address (nobody floods someone else's inbox), not per client: behind the city's
    # load balancer every resident may share one address, and in a flood thousands subscribe at once.
    _rate_limit(f"address:{data.channel}:{address}", LIMIT_PER_ADDRESS_PER_HOUR)
    mask = category_mask(data.categories)
    box: Box = area.pop("box")
    same = Subscription.objects.filter(
        channel=data.channel,
        address=address,
        category_mask=mask,
        status__in=[SubscriptionStatus.PENDING, SubscriptionStatus.ACTIVE],
        kind=area["kind"],
        district=area.get("district"),
        latitude=area.get("latitude"),
        longitude=area.get("longitude"),
        radius_km=area.get("radius_km"),
    ).first()
    if same is not None:
        if same.status == SubscriptionStatus.ACTIVE:
            return SubscribeResult(same, created=False, confirmation_sent=False)
        _send_confirmation(same)
        return SubscribeResult(same, created=False, confirmation_sent=True)
    subscription = Subscription.objects.create(
        **area,
        min_latitude=box.min_latitude,
        min_longitude=box.min_longitude,
        max_latitude=box.max_latitude,
        max_longitude=box.max_longitude,
        category_mask=mask,
        language=data.language,
        channel=data.channel,
        address=address,
        user=user if getattr(user, "is_authenticated", False) else None,
    )
    _send_confirmation(subscription)
    return SubscribeResult(subscription, created=True, confirmation_sent=True)


@transaction.atomic
def subscription_confirm(*, token: str) -> Subscription:
    """The opt-in: from now on alerts are sent. Confirming twice changes nothing."""
    subscription = _subscription_from(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if subscription.status == SubscriptionStatus.PENDING:
        subscription.status = SubscriptionStatus.ACTIVE
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["status", "confirmed_at", "updated_at"])
    elif subscription.status != SubscriptionStatus.ACTIVE:
        raise ServiceError(
            _("This subscription was ended; subscribe again if you want alerts."), code="subscription_ended"
        )
    return subscription


@transaction.atomic
def subscription_unsubscribe(*, token: str) -> Subscription:
    """One click, no sign-in, no questions. Unsubscribing twice changes nothing."""
    subscription = _subscription_from(token, salt=UNSUBSCRIBE_SALT, max_age=None)
    if subscription.status in {
        SubscriptionStatus.PENDING,
        SubscriptionStatus.ACTIVE,
        SubscriptionStatus.SUSPENDED,
    }:
        subscription.status = SubscriptionStatus.UNSUBSCRIBED
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["status", "unsubscribed_at", "updated_at"])
    return subscription


def subscription_suspend(*, reference: str) -> bool:
    """The address does not work (a permanent failure): stop sending to it."""
    if not reference.startswith("subscription:"):
        return False
    try:
        subscription_id = uuid.UUID(reference.split(":", 1)[1])
    except ValueError:
        return False
    found = Subscription.objects.filter(pk=subscription_id).values_list("channel", "address").first()
    if found is None:
        return False
    channel, address = found
    # Every subscription of that address: the address is what does not work.
    return bool(
        Subscription.objects.filter(
            channel=channel,
            address=address,
            status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.PENDING],
        ).update(status=SubscriptionStatus.SUSPENDED, updated_at=timezone.now())
    )
