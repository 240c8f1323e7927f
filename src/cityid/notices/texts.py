"""The notice texts: (subject, email body, SMS) per language (ISO 639-3) and kind.

Subjects and SMS texts name the program and the news, never a person, an address or a
card number (templates.py explains why; a test checks every language).
"""

from __future__ import annotations

from cityid.notices import texts_more

FALLBACK_LANGUAGE = "eng"

Texts = dict[str, tuple[str, str, str]]

ENGLISH: Texts = {
    "booking_confirmed": (
        "{program}: your appointment is booked",
        "Your appointment is booked for {date} at {time}, at {centre}.\n"
        "Application reference: {reference}.\n"
        "Bring the original documents you chose. To change or cancel, visit the website.",
        "{program}: appointment booked for {date} {time}, {centre}.",
    ),
    "booking_reminder": (
        "{program}: your appointment is tomorrow",
        "A reminder: your appointment is on {date} at {time}, at {centre}.\n"
        "Application reference: {reference}. Bring the original documents you chose.",
        "{program}: reminder, appointment {date} {time}, {centre}.",
    ),
    "decision.approved": (
        "{program}: a decision on your application",
        "Your application {reference} has been approved. We will tell you when your card "
        "is mailed or ready for pickup.",
        "{program}: your application was approved.",
    ),
    "decision.rejected": (
        "{program}: a decision on your application",
        "We could not approve your application {reference}. You may apply again, or ask "
        "at any enrollment centre why and what you can bring.",
        "{program}: there is a decision on your application. Please check your email or "
        "visit a centre.",
    ),
    "card_mailed": (
        "{program}: your card is in the mail",
        "The card for application {reference} was mailed today. It should arrive within "
        "ten days. If it does not, contact us.",
        "{program}: your card was mailed today.",
    ),
    "card_ready_for_pickup": (
        "{program}: your card is ready",
        "The card for application {reference} is ready for pickup at {centre}. Bring the "
        "identity document you enrolled with.",
        "{program}: your card is ready for pickup at {centre}.",
    ),
    "renewal_due": (
        "{program}: time to renew your card",
        "Your card expires on {expires}, in {days} days. You can renew it now at any "
        "enrollment centre.",
        "{program}: your card expires in {days} days. You can renew it now.",
    ),
    "disclosure": (
        "{program}: notice of a disclosure",
        "On {decided_on} we released information from your application in answer to a "
        "legal request (reference {request_id}). Released: {fields}.\n"
        "You may ask us what was released and why. Keep this notice for your records.",
        "{program}: we have sent you a legal notice about your record. Please check your "
        "email or visit a centre.",
    ),
    "one_time_code": (
        "{program}: your one-time code",
        "Your one-time code is {code}. It works once, for {minutes} minutes.\n"
        "If you did not ask for it, ignore this message: nothing has changed.",
        "{program} code: {code} (valid {minutes} min). Do not share it.",
    ),
    "card_reported_lost": (
        "{program}: a card was reported lost",
        "On {date} your card was reported lost or stolen and suspended, so nobody can use "
        "it. A replacement can be requested at any enrollment centre.\n"
        "If you did not report it, contact us at once.",
        "{program}: your card was reported lost and is suspended. Not you? Contact us.",
    ),
}

SPANISH: Texts = {
    "booking_confirmed": (
        "{program}: su cita está reservada",
        "Su cita está reservada para el {date} a las {time}, en {centre}.\n"
        "Referencia de la solicitud: {reference}.\n"
        "Traiga los documentos originales que eligió. Para cambiarla o cancelarla, visite "
        "el sitio web.",
        "{program}: cita reservada para el {date} {time}, {centre}.",
    ),
    "booking_reminder": (
        "{program}: su cita es mañana",
        "Le recordamos: su cita es el {date} a las {time}, en {centre}.\n"
        "Referencia de la solicitud: {reference}. Traiga los documentos originales.",
        "{program}: recordatorio, cita el {date} {time}, {centre}.",
    ),
    "decision.approved": (
        "{program}: una decisión sobre su solicitud",
        "Su solicitud {reference} fue aprobada. Le avisaremos cuando su tarjeta se envíe "
        "por correo o esté lista para recoger.",
        "{program}: su solicitud fue aprobada.",
    ),
    "decision.rejected": (
        "{program}: una decisión sobre su solicitud",
        "No pudimos aprobar su solicitud {reference}. Puede volver a solicitarla, o "
        "preguntar en cualquier centro por qué y qué puede traer.",
        "{program}: hay una decisión sobre su solicitud. Revise su correo o visite un centro.",
    ),
    "card_mailed": (
        "{program}: su tarjeta va por correo",
        "La tarjeta de la solicitud {reference} se envió hoy por correo. Debería llegar en "
        "diez días. Si no llega, contáctenos.",
        "{program}: su tarjeta se envió hoy por correo.",
    ),
    "card_ready_for_pickup": (
        "{program}: su tarjeta está lista",
        "La tarjeta de la solicitud {reference} está lista para recoger en {centre}. "
        "Traiga el documento de identidad con el que se inscribió.",
        "{program}: su tarjeta está lista para recoger en {centre}.",
    ),
    "renewal_due": (
        "{program}: es hora de renovar su tarjeta",
        "Su tarjeta vence el {expires}, en {days} días. Puede renovarla ya en cualquier "
        "centro de inscripción.",
        "{program}: su tarjeta vence en {days} días. Puede renovarla ya.",
    ),
    "disclosure": (
        "{program}: aviso de divulgación",
        "El {decided_on} entregamos información de su solicitud en respuesta a un "
        "requerimiento legal (referencia {request_id}). Entregado: {fields}.\n"
        "Puede preguntarnos qué se entregó y por qué. Guarde este aviso.",
        "{program}: le enviamos un aviso legal sobre su expediente. Revise su correo o "
        "visite un centro.",
    ),
    "one_time_code": (
        "{program}: su código de un solo uso",
        "Su código de un solo uso es {code}. Sirve una vez, durante {minutes} minutos.\n"
        "Si no lo pidió, ignore este mensaje: nada ha cambiado.",
        "Código {program}: {code} (válido {minutes} min). No lo comparta.",
    ),
    "card_reported_lost": (
        "{program}: se reportó una tarjeta perdida",
        "El {date} su tarjeta se reportó perdida o robada y quedó suspendida, así que nadie "
        "puede usarla. Puede pedir un reemplazo en cualquier centro de inscripción.\n"
        "Si usted no la reportó, contáctenos de inmediato.",
        "{program}: su tarjeta se reportó perdida y está suspendida. ¿No fue usted? Contáctenos.",
    ),
}

# The applicant pages' languages (rendering/i18n.py); other applicant languages get English.
TEXTS: dict[str, Texts] = {
    "eng": ENGLISH,
    "spa": SPANISH,
    "zho": texts_more.CHINESE,
    "rus": texts_more.RUSSIAN,
    "ben": texts_more.BENGALI,
    "hat": texts_more.HAITIAN,
    "kor": texts_more.KOREAN,
    "ara": texts_more.ARABIC,
}
