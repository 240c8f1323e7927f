"""The applicant notice, in the applicant's language (a small table; English otherwise).

Placeholders: {request_id}, {decided_on}, {fields}, {program}. Field names stay as the
codes the release package uses, so the notice and the package can be read side by side.
"""

from __future__ import annotations

FALLBACK_LANGUAGE = "eng"

NOTICE_TEXTS: dict[str, str] = {
    "eng": (
        "{program}: notice of a disclosure\n\n"
        "On {decided_on} we released information from your application in answer to a "
        "legal request (reference {request_id}). Released: {fields}.\n"
        "You may ask us what was released and why. Keep this notice for your records."
    ),
    "spa": (
        "{program}: aviso de divulgación\n\n"
        "El {decided_on} entregamos información de su solicitud en respuesta a un "
        "requerimiento legal (referencia {request_id}). Entregado: {fields}.\n"
        "Puede preguntarnos qué se entregó y por qué. Guarde este aviso."
    ),
    "zho": (
        "{program}：信息披露通知\n\n"
        "我们于 {decided_on} 根据一项法律要求（编号 {request_id}）披露了您申请中的信息。"
        "披露内容：{fields}。\n您可以向我们询问披露了什么以及原因。请保留此通知。"
    ),
    "rus": (
        "{program}: уведомление о раскрытии сведений\n\n"
        "{decided_on} мы передали сведения из вашего заявления в ответ на законный "
        "запрос (номер {request_id}). Переданы: {fields}.\n"
        "Вы можете спросить нас, что было передано и почему. Сохраните это уведомление."
    ),
    "ben": (
        "{program}: তথ্য প্রকাশের নোটিশ\n\n"
        "{decided_on} তারিখে একটি আইনি অনুরোধের (রেফারেন্স {request_id}) জবাবে আমরা আপনার "
        "আবেদনের তথ্য প্রকাশ করেছি। প্রকাশিত: {fields}।\n"
        "কী প্রকাশ করা হয়েছে এবং কেন, তা আপনি আমাদের জিজ্ঞাসা করতে পারেন। এই নোটিশটি রেখে দিন।"
    ),
    "hat": (
        "{program}: avi sou yon divilgasyon\n\n"
        "Nan dat {decided_on} nou te bay enfòmasyon ki soti nan aplikasyon ou pou reponn "
        "yon demann legal (referans {request_id}). Sa nou te bay: {fields}.\n"
        "Ou ka mande nou kisa nou te bay ak poukisa. Kenbe avi sa a."
    ),
    "kor": (
        "{program}: 정보 공개 통지\n\n"
        "{decided_on}에 법적 요청(참조 번호 {request_id})에 따라 귀하의 신청서 정보를 "
        "제공했습니다. 제공된 항목: {fields}.\n"
        "무엇이 왜 제공되었는지 문의하실 수 있습니다. 이 통지를 보관하십시오."
    ),
    "ara": (
        "{program}: إشعار بالإفصاح\n\n"
        "في {decided_on} أفصحنا عن معلومات من طلبك استجابةً لطلب قانوني "
        "(المرجع {request_id}). ما تم الإفصاح عنه: {fields}.\n"
        "يمكنك أن تسألنا عما تم الإفصاح عنه ولماذا. احتفظ بهذا الإشعار."
    ),
}


def notice_language(preferred: str | None) -> str:
    return preferred if preferred in NOTICE_TEXTS else FALLBACK_LANGUAGE


def render_notice(
    language: str | None, *, program: str, request_id: str, decided_on: str, fields: list[str]
) -> tuple[str, str]:
    """(language used, text) for one applicant."""
    used = notice_language(language)
    text = NOTICE_TEXTS[used].format(
        program=program, request_id=request_id, decided_on=decided_on, fields=", ".join(fields)
    )
    return used, text
