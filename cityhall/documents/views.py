"""Pages: the public registry, a document, the verification page, the key history, share links;
and the staff pages for documents, keys and the inter-agency exchange."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cityhall.accounts.contracts import Permission
from cityhall.accounts.facade import departments, departments_with_permission
from cityhall.core.errors import ServiceError
from cityhall.documents import forms, rules, selectors, services, verification
from cityhall.documents.contracts import Classification
from cityhall.documents.models import Document, DocumentVersion, ExchangeRequest

PAGE_SIZE = 25


def _attachment(version: DocumentVersion) -> FileResponse:
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=version.file_name,
        content_type=version.media_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Public pages ---------------------------------------------------------------------------


@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    classification = request.GET.get("classification", "")
    documents = selectors.registry_search(request.user, query=query, classification=classification)
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "classification": classification,
        "classifications": Classification.choices,
    }
    return render(request, "documents/registry.html", context)


@require_GET
def detail(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    document = selectors.document_for(request.user, document_id)
    if document is None:
        raise Http404(_("There is no document you may see at this address."))
    services.document_read(actor=request.user, document=document)
    versions = selectors.versions_of(document)
    rows = [
        {
            "version": version,
            "checks": [verification.check_signature(signature) for signature in version.signatures.all()],
        }
        for version in versions
    ]
    context = {
        "document": document,
        "rows": rows,
        "can_manage": rules.can_sign_for(request.user, document.department_id),
    }
    return render(request, "documents/detail.html", context)


@require_GET
def download(request: HttpRequest, document_id: uuid.UUID, number: int) -> HttpResponseBase:
    document = selectors.document_for(request.user, document_id)
    version = selectors.version(document, number) if document is not None else None
    if document is None or version is None:
        raise Http404(_("There is no document you may see at this address."))
    services.document_read(actor=request.user, document=document)
    return _attachment(version)


@require_GET
def signature_file(request: HttpRequest, signature_id: uuid.UUID) -> HttpResponse:
    """The detached signature: no content of the document, so anyone holding the id may fetch it."""
    signature = selectors.signature(signature_id)
    if signature is None:
        raise Http404(_("There is no signature at this address."))
    body = json.dumps(verification.detached_signature(signature), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    version = signature.version
    name = f"{version.document_id}-v{version.number}-{signature.key.fingerprint[:12]}.sig.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone may check a file or a SHA-256; the file is hashed in memory and never stored."""
    result = None
    status = 200
    if request.method == "POST":
        form = forms.VerifyForm(request.POST, request.FILES)
    else:
        initial = {"document": request.GET.get("document", ""), "sha256": request.GET.get("sha256", "")}
        form = forms.VerifyForm(initial=initial)
        if initial["sha256"]:
            form = forms.VerifyForm(initial)
    if form.is_bound:
        if form.is_valid():
            result = _verify_with(form, request.user)
        else:
            status = 400 if request.method == "POST" else 200
    context = {"form": form, "result": result}
    return render(request, "documents/verify.html", context, status=status)


def _verify_with(form: forms.VerifyForm, viewer: Any) -> verification.Verification:
    upload = form.cleaned_data.get("file")
    document_id = form.cleaned_data.get("document")
    if upload is not None:
        signature = form.cleaned_data.get("signature")
        if signature is not None:
            content = b"".join(upload.chunks())
            return verification.verify_detached(content, signature.read())
        digest = hashlib.sha256()
        for chunk in upload.chunks():  # hashed as it streams; the file is never kept
            digest.update(chunk)
        return verification.verify_sha256(digest.hexdigest(), viewer=viewer, document_id=document_id)
    return verification.verify_sha256(form.cleaned_data["sha256"], viewer=viewer, document_id=document_id)


@require_GET
def keys(request: HttpRequest) -> HttpResponse:
    now_keys = selectors.key_history()
    context = {"keys": now_keys}
    return render(request, "documents/keys.html", context)


def _share_page(request: HttpRequest, token: str, *, download_file: bool) -> HttpResponseBase:
    outcome = services.share_open(token=token, user=request.user, download=download_file)
    if outcome.share is None:
        return render(request, "documents/shared.html", {"outcome": outcome}, status=404)
    if not outcome.granted:
        status = 410 if outcome.result in ("expired", "withdrawn") else 403
        return render(request, "documents/shared.html", {"outcome": outcome, "token": token}, status=status)
    document = outcome.share.document
    version = document.versions.get(number=document.current_version)
    if download_file:
        return _attachment(version)
    checks = [
        verification.check_signature(signature)
        for signature in version.signatures.select_related("key", "version")
    ]
    context = {"outcome": outcome, "document": document, "version": version, "checks": checks, "token": token}
    response = render(request, "documents/shared.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponseBase:
    return _share_page(request, token, download_file=False)


@require_GET
def shared_download(request: HttpRequest, token: str) -> HttpResponseBase:
    return _share_page(request, token, download_file=True)


# --- Staff pages ----------------------------------------------------------------------------


def _staff(
    check: Callable[[Any], bool],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _department_choices(user: Any, permission: Permission) -> list[tuple[uuid.UUID, str]]:
    own = departments_with_permission(user, permission)
    return [(d.id, d.name) for d in departments() if d.id in own]


def _all_departments() -> list[tuple[uuid.UUID, str]]:
    return [(d.id, d.name) for d in departments()]


def _resident_id(email: str) -> uuid.UUID | None:
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    return user.pk if user is not None else None


@_staff(rules.is_document_handler)
@require_http_methods(["GET", "POST"])
def staff_documents(request: HttpRequest) -> HttpResponse:
    choices = _department_choices(request.user, Permission.SIGN_DOCUMENTS)
    form = forms.RegisterForm(request.POST or None, request.FILES or None, departments=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            subject_id = None
            if data.get("subject_email"):
                subject_id = _resident_id(data["subject_email"])
                if subject_id is None:
                    form.add_error("subject_email", _("There is no account with this email address."))
            if not form.errors:
                upload = data["file"]
                try:
                    document = services.document_register(
                        actor=request.user,
                        department_id=data["department"],
                        title=data["title"],
                        file_name=upload.name,
                        content=b"".join(upload.chunks()),
                        media_type=forms.media_type_of(upload),
                        classification=data["classification"],
                        retention_years=data.get("retention_years"),
                        subject_id=subject_id,
                    )
                except ServiceError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("The document is registered. Sign it when it is final."))
                    return redirect("documents:staff_document", document.pk)
        status = 400
    query = request.GET.get("q", "")[:200]
    page = Paginator(selectors.staff_documents(request.user, query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "query": query}
    return render(request, "documents/staff/documents.html", context, status=status)


def _staff_document(request: HttpRequest, document_id: uuid.UUID) -> Document:
    document = Document.objects.select_related("department").filter(pk=document_id).first()
    if document is None or not rules.can_sign_for(request.user, document.department_id):
        raise Http404(_("There is no document of your department at this address."))
    return document


@_staff(rules.is_document_handler)
@require_GET
def staff_document(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    document = _staff_document(request, document_id)
    services.document_read(actor=request.user, document=document)
    return _render_staff_document(request, document)


def _render_staff_document(
    request: HttpRequest,
    document: Document,
    *,
    status: int = 200,
    version_form: forms.VersionForm | None = None,
    share_form: forms.ShareForm | None = None,
    new_share_url: str = "",
) -> HttpResponse:
    versions = selectors.versions_of(document)
    rows = [
        {"version": v, "checks": [verification.check_signature(s) for s in v.signatures.all()]}
        for v in versions
    ]
    context = {
        "document": document,
        "rows": rows,
        "version_form": version_form or forms.VersionForm(),
        "share_form": share_form or forms.ShareForm(departments=_all_departments()),
        "shares": selectors.shares_of(document),
        "new_share_url": new_share_url,
    }
    return render(request, "documents/staff/document.html", context, status=status)


@_staff(rules.is_document_handler)
@require_POST
def staff_document_action(request: HttpRequest, document_id: uuid.UUID, action: str) -> HttpResponse:
    document = _staff_document(request, document_id)
    try:
        if action == "sign":
            services.document_sign(actor=request.user, document_id=document.pk)
            messages.success(request, _("Signed with your key."))
        elif action == "seal":
            services.document_sign(actor=request.user, document_id=document.pk, as_department=True)
            messages.success(request, _("Signed with the department's seal."))
        elif action == "version":
            form = forms.VersionForm(request.POST, request.FILES)
            if not form.is_valid():
                return _render_staff_document(request, document, status=400, version_form=form)
            upload = form.cleaned_data["file"]
            try:
                services.document_add_version(
                    actor=request.user,
                    document_id=document.pk,
                    file_name=upload.name,
                    content=b"".join(upload.chunks()),
                    media_type=forms.media_type_of(upload),
                )
            except ServiceError as error:
                form.add_error("file", error.message)
                return _render_staff_document(request, document, status=400, version_form=form)
            messages.success(request, _("The new version is registered. Sign it when it is final."))
        elif action == "share":
            share_form = forms.ShareForm(request.POST, departments=_all_departments())
            if not share_form.is_valid():
                return _render_staff_document(request, document, status=400, share_form=share_form)
            data = share_form.cleaned_data
            try:
                created = services.share_create(
                    actor=request.user,
                    document_id=document.pk,
                    days=data["days"],
                    emails=share_form.email_list(),
                    department_ids=data.get("departments") or [],
                    anyone_with_link=data.get("anyone_with_link", False),
                    note=data.get("note", ""),
                )
            except ServiceError as error:
                share_form.add_error(None, error.message)
                return _render_staff_document(request, document, status=400, share_form=share_form)
            url = request.build_absolute_uri(reverse("documents:shared", args=[created.token]))
            document.refresh_from_db()
            return _render_staff_document(request, document, new_share_url=url)
        elif action == "unshare":
            services.share_revoke(actor=request.user, share_id=uuid.UUID(request.POST.get("share", "")))
            messages.success(request, _("The share link is withdrawn."))
        else:
            raise Http404(_("There is no such action."))
    except ValueError as error:
        raise Http404(_("There is no such share.")) from error
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("documents:staff_document", document.pk)


@_staff(rules.is_document_handler)
@require_http_methods(["GET", "POST"])
def staff_keys(request: HttpRequest) -> HttpResponse:
    revoke_form = forms.RevokeKeyForm(request.POST if request.POST.get("action") == "revoke" else None)
    status = 200
    if request.method == "POST":
        try:
            key_id = uuid.UUID(request.POST.get("key", ""))
        except ValueError as error:
            raise Http404(_("There is no such key.")) from error
        try:
            if request.POST.get("action") == "rotate":
                services.signing_key_rotate(actor=request.user, key_id=key_id)
                messages.success(request, _("The key is rotated: new signatures use the new key."))
                return redirect("documents:staff_keys")
            if revoke_form.is_valid():
                services.signing_key_revoke(
                    actor=request.user, key_id=key_id, reason=revoke_form.cleaned_data["reason"]
                )
                messages.success(request, _("The key is revoked."))
                return redirect("documents:staff_keys")
        except ServiceError as error:
            messages.error(request, error.message)
        status = 400
    context = {"keys": selectors.keys_of(request.user), "revoke_form": revoke_form}
    return render(request, "documents/staff/keys.html", context, status=status)


# --- Inter-agency exchange ------------------------------------------------------------------


@_staff(rules.can_exchange)
@require_http_methods(["GET", "POST"])
def staff_exchanges(request: HttpRequest) -> HttpResponse:
    own = _department_choices(request.user, Permission.EXCHANGE_PERSONAL_DATA)
    form = forms.ExchangeRequestForm(request.POST or None, own=own, others=_all_departments())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            subject_id = _resident_id(data["subject_email"])
            if subject_id is None:
                form.add_error("subject_email", _("There is no account with this email address."))
            else:
                try:
                    created = services.exchange_request_create(
                        actor=request.user,
                        from_department_id=data["from_department"],
                        to_department_id=data["to_department"],
                        subject_id=subject_id,
                        purpose=data.get("purpose", ""),
                        legal_basis=data.get("legal_basis", ""),
                        data_items=list(data["data_items"]),
                        legal_reference=data.get("legal_reference", ""),
                        case_reference=data.get("case_reference", ""),
                    )
                except ServiceError as error:
                    field = {"purpose_required": "purpose", "legal_basis_required": "legal_basis"}.get(
                        error.code
                    )
                    form.add_error(field, error.message)
                else:
                    messages.success(request, _("The request is signed and sent."))
                    return redirect("documents:staff_exchange", created.pk)
        status = 400
    exchanges = selectors.exchanges_for_staff(request.user)
    page = Paginator(exchanges, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "documents/staff/exchanges.html", {"form": form, "page": page}, status=status)


def _render_exchange(
    request: HttpRequest,
    exchange: ExchangeRequest,
    form: forms.ExchangeAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    response = getattr(exchange, "response", None)
    if (
        response is not None
        and response.provided
        and rules.can_exchange_for(request.user, exchange.from_department_id)
    ):
        services.exchange_response_read(actor=request.user, exchange=exchange)
    context = {
        "exchange": exchange,
        "response": response,
        "can_answer": selectors.can_answer(request.user, exchange),
        "form": form or forms.ExchangeAnswerForm(items=list(exchange.data_items)),
        "entries": list(exchange.log_entries.select_related("key").order_by("seq")),
        "labels": dict(forms.DATA_ITEMS),
    }
    return render(request, "documents/staff/exchange.html", context, status=status)


@_staff(rules.can_exchange)
@require_http_methods(["GET", "POST"])
def staff_exchange(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    exchange = selectors.exchange_for_staff(request.user, request_id)
    if exchange is None:
        raise Http404(_("There is no exchange of your department at this address."))
    if request.method == "GET":
        return _render_exchange(request, exchange)
    items = list(exchange.data_items)
    form = forms.ExchangeAnswerForm(request.POST, items=items)
    if form.is_valid():
        try:
            services.exchange_answer(
                actor=request.user,
                request_id=exchange.pk,
                provide=form.cleaned_data["decision"] == "provide",
                data=form.data_values(items),
                refusal_reason=form.cleaned_data.get("refusal_reason", ""),
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The answer is signed and sent."))
            return redirect("documents:staff_exchange", exchange.pk)
    exchange.refresh_from_db()
    return _render_exchange(request, exchange, form, status=400)


@_staff(rules.can_exchange)
@require_GET
def staff_exchange_log(request: HttpRequest) -> HttpResponse:
    context = {
        "messages_check": verification.message_log_verify(),
        "signatures_check": verification.signature_log_verify(),
    }
    return render(request, "documents/staff/log.html", context)
