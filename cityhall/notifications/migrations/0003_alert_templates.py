"""Data: the first version of the alert and subscription templates, in English, Spanish and Arabic.

Template text is content, kept in the database and versioned (a change is a new version); these
rows are its starting point. Reversing removes exactly these versions.
"""

from django.db import migrations

KEYS = ("alert", "alert-update", "alert-cancel", "subscription-confirm")

ALERT_EMAIL = {
    "en": (
        "((city)) alert: ((headline))",
        "((headline))\n\n((description))\n\nWhat to do: ((instruction))\n\nWhere: ((area))\n"
        "Severity: ((severity)). Urgency: ((urgency)). Certainty: ((certainty)).\n"
        "In force until: ((expires))\n\nLatest information: ((url))\n\n((sender_name))\n\n"
        "You receive this because you subscribed to alerts from ((city)).\n"
        "Stop these messages with one click: ((unsubscribe_url))\n",
    ),
    "es": (
        "Alerta de ((city)): ((headline))",
        "((headline))\n\n((description))\n\nQué hacer: ((instruction))\n\nDónde: ((area))\n"
        "Gravedad: ((severity)). Urgencia: ((urgency)). Certeza: ((certainty)).\n"
        "Vigente hasta: ((expires))\n\nInformación actualizada: ((url))\n\n((sender_name))\n\n"
        "Recibe este mensaje porque se suscribió a las alertas de ((city)).\n"
        "Deje de recibirlas con un clic: ((unsubscribe_url))\n",
    ),
    "ar": (
        "تنبيه من ((city)): ((headline))",
        "((headline))\n\n((description))\n\nما الذي يجب فعله: ((instruction))\n\nالمنطقة: ((area))\n"
        "الخطورة: ((severity)). الإلحاح: ((urgency)). اليقين: ((certainty)).\n"
        "ساري حتى: ((expires))\n\nآخر المعلومات: ((url))\n\n((sender_name))\n\n"
        "تتلقى هذه الرسالة لأنك اشتركت في تنبيهات ((city)).\n"
        "لإيقاف هذه الرسائل بنقرة واحدة: ((unsubscribe_url))\n",
    ),
}
UPDATE_PREFIX = {
    "en": ("((city)) alert UPDATED: ((headline))", "This alert has been updated. It replaces the earlier message.\n\n"),
    "es": ("Alerta de ((city)) ACTUALIZADA: ((headline))", "Esta alerta se ha actualizado y sustituye al mensaje anterior.\n\n"),
    "ar": ("تحديث تنبيه من ((city)): ((headline))", "تم تحديث هذا التنبيه، وهو يحل محل الرسالة السابقة.\n\n"),
}
CANCEL_EMAIL = {
    "en": (
        "((city)) alert CANCELLED: ((headline))",
        "((headline))\n\n((description))\n\nLatest information: ((url))\n\n((sender_name))\n\n"
        "Stop these messages with one click: ((unsubscribe_url))\n",
    ),
    "es": (
        "Alerta de ((city)) ANULADA: ((headline))",
        "((headline))\n\n((description))\n\nInformación actualizada: ((url))\n\n((sender_name))\n\n"
        "Deje de recibir estos mensajes con un clic: ((unsubscribe_url))\n",
    ),
    "ar": (
        "إلغاء تنبيه من ((city)): ((headline))",
        "((headline))\n\n((description))\n\nآخر المعلومات: ((url))\n\n((sender_name))\n\n"
        "لإيقاف هذه الرسائل بنقرة واحدة: ((unsubscribe_url))\n",
    ),
}
SMS = {
    "alert": {
        "en": "((city)) ALERT: ((headline)). ((url)) Stop alerts: ((unsubscribe_url))",
        "es": "ALERTA ((city)): ((headline)). ((url)) Cancelar alertas: ((unsubscribe_url))",
        "ar": "تنبيه ((city)): ((headline)). ((url)) لإيقاف التنبيهات: ((unsubscribe_url))",
    },
    "alert-update": {
        "en": "((city)) ALERT UPDATE: ((headline)). ((url)) Stop alerts: ((unsubscribe_url))",
        "es": "ACTUALIZACIÓN ALERTA ((city)): ((headline)). ((url)) Cancelar alertas: ((unsubscribe_url))",
        "ar": "تحديث تنبيه ((city)): ((headline)). ((url)) لإيقاف التنبيهات: ((unsubscribe_url))",
    },
    "alert-cancel": {
        "en": "((city)): ((headline)). ((url)) Stop alerts: ((unsubscribe_url))",
        "es": "((city)): ((headline)). ((url)) Cancelar alertas: ((unsubscribe_url))",
        "ar": "((city)): ((headline)). ((url)) لإيقاف التنبيهات: ((unsubscribe_url))",
    },
    "subscription-confirm": {
        "en": "((city)): confirm your alert subscription: ((confirm_url)) Not you? Ignore this message.",
        "es": "((city)): confirme su suscripción a las alertas: ((confirm_url)) ¿No fue usted? Ignore este mensaje.",
        "ar": "((city)): أكّد اشتراكك في التنبيهات: ((confirm_url)) لست أنت؟ تجاهل هذه الرسالة.",
    },
}
WEBHOOK = {
    "alert": {
        "en": "((headline)) — ((area)). ((instruction))",
        "es": "((headline)) — ((area)). ((instruction))",
        "ar": "((headline)) — ((area)). ((instruction))",
    },
    "alert-update": {
        "en": "Updated: ((headline)) — ((area)). ((instruction))",
        "es": "Actualizada: ((headline)) — ((area)). ((instruction))",
        "ar": "تحديث: ((headline)) — ((area)). ((instruction))",
    },
    "alert-cancel": {
        "en": "((headline)) ((description))",
        "es": "((headline)) ((description))",
        "ar": "((headline)) ((description))",
    },
    "subscription-confirm": {
        "en": "Confirm this webhook subscription to ((city)) alerts: POST {\"token\": confirm_token} to ((confirm_api_url)).",
        "es": "Confirme esta suscripción de webhook a las alertas de ((city)): envíe {\"token\": confirm_token} por POST a ((confirm_api_url)).",
        "ar": "أكّد اشتراك webhook في تنبيهات ((city)): أرسل {\"token\": confirm_token} بطلب POST إلى ((confirm_api_url)).",
    },
}
CONFIRM_EMAIL = {
    "en": (
        "Confirm your ((city)) alert subscription",
        "Someone (we hope it was you) asked to receive public alerts from ((city)) at this address.\n\n"
        "Alerts for: ((area)). Topics: ((categories)).\n\n"
        "To start receiving them, confirm here: ((confirm_url))\n\n"
        "If you did not ask for this, ignore this message: nothing more will be sent.\n"
        "Cancel this request with one click: ((unsubscribe_url))\n",
    ),
    "es": (
        "Confirme su suscripción a las alertas de ((city))",
        "Alguien (esperamos que usted) ha pedido recibir las alertas públicas de ((city)) en esta dirección.\n\n"
        "Alertas para: ((area)). Temas: ((categories)).\n\n"
        "Para empezar a recibirlas, confirme aquí: ((confirm_url))\n\n"
        "Si no lo ha pedido, ignore este mensaje: no se enviará nada más.\n"
        "Anule esta solicitud con un clic: ((unsubscribe_url))\n",
    ),
    "ar": (
        "أكّد اشتراكك في تنبيهات ((city))",
        "طلب أحدهم (نأمل أن تكون أنت) تلقي التنبيهات العامة من ((city)) على هذا العنوان.\n\n"
        "التنبيهات لـ: ((area)). المواضيع: ((categories)).\n\n"
        "لبدء تلقيها، أكّد من هنا: ((confirm_url))\n\n"
        "إذا لم تطلب ذلك، فتجاهل هذه الرسالة: لن يُرسل شيء آخر.\n"
        "لإلغاء هذا الطلب بنقرة واحدة: ((unsubscribe_url))\n",
    ),
}


def rows():
    for language, (subject, body) in ALERT_EMAIL.items():
        yield "alert", "email", language, subject, body
        update_subject, prefix = UPDATE_PREFIX[language]
        yield "alert-update", "email", language, update_subject, prefix + body
    for language, (subject, body) in CANCEL_EMAIL.items():
        yield "alert-cancel", "email", language, subject, body
    for language, (subject, body) in CONFIRM_EMAIL.items():
        yield "subscription-confirm", "email", language, subject, body
    for key, texts in SMS.items():
        for language, body in texts.items():
            yield key, "sms", language, "", body
    for key, texts in WEBHOOK.items():
        for language, body in texts.items():
            yield key, "webhook", language, "", body


def add_templates(apps, schema_editor):
    Template = apps.get_model("notifications", "NotificationTemplate")
    for key, channel, language, subject, body in rows():
        Template.objects.update_or_create(
            key=key, channel=channel, language=language, version=1, defaults={"subject": subject, "body": body}
        )


def remove_templates(apps, schema_editor):
    Template = apps.get_model("notifications", "NotificationTemplate")
    Template.objects.filter(key__in=KEYS, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_fanout_deliveries")]

    operations = [migrations.RunPython(add_templates, remove_templates)]
