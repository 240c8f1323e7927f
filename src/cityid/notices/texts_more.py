"""Notice texts in Chinese (Simplified), Russian, Bengali, Haitian Creole, Korean and
Arabic: the same keys and parameters as the English ones (texts.py)."""

from __future__ import annotations

Texts = dict[str, tuple[str, str, str]]

CHINESE: Texts = {
    "booking_confirmed": (
        "{program}：您的预约已确认",
        "您的预约时间为 {date} {time}，地点：{centre}。\n申请编号：{reference}。\n"
        "请携带您选择的证件原件。如需更改或取消，请访问网站。",
        "{program}：已预约 {date} {time}，{centre}。",
    ),
    "booking_reminder": (
        "{program}：您的预约在明天",
        "提醒：您的预约时间为 {date} {time}，地点：{centre}。\n"
        "申请编号：{reference}。请携带证件原件。",
        "{program}：提醒，预约 {date} {time}，{centre}。",
    ),
    "decision.approved": (
        "{program}：您的申请已有结果",
        "您的申请 {reference} 已获批准。卡片寄出或可领取时我们会通知您。",
        "{program}：您的申请已获批准。",
    ),
    "decision.rejected": (
        "{program}：您的申请已有结果",
        "我们未能批准您的申请 {reference}。您可以重新申请，或到任一中心询问原因及需要携带的材料。",
        "{program}：您的申请已有结果。请查看电子邮件或前往中心。",
    ),
    "card_mailed": (
        "{program}：您的卡已寄出",
        "申请 {reference} 的卡已于今天寄出，应在十天内送达。如未收到，请与我们联系。",
        "{program}：您的卡已于今天寄出。",
    ),
    "card_ready_for_pickup": (
        "{program}：您的卡已可领取",
        "申请 {reference} 的卡已可在 {centre} 领取。请携带您登记时使用的身份证件。",
        "{program}：您的卡已可在 {centre} 领取。",
    ),
    "renewal_due": (
        "{program}：请为您的卡续期",
        "您的卡将于 {expires} 到期，还有 {days} 天。您现在就可以到任一登记中心续期。",
        "{program}：您的卡将在 {days} 天后到期，现在即可续期。",
    ),
    "disclosure": (
        "{program}：信息披露通知",
        "我们于 {decided_on} 根据一项法律要求（编号 {request_id}）披露了您申请中的信息。"
        "披露内容：{fields}。\n您可以向我们询问披露了什么以及原因。请保留此通知。",
        "{program}：我们已向您发送一份关于您记录的法律通知。请查看电子邮件或前往中心。",
    ),
    "one_time_code": (
        "{program}：您的一次性验证码",
        "您的一次性验证码是 {code}。仅可使用一次，有效期 {minutes} 分钟。\n"
        "如果您没有申请，请忽略此消息：没有任何改变。",
        "{program} 验证码：{code}（{minutes} 分钟内有效）。请勿告诉他人。",
    ),
    "card_reported_lost": (
        "{program}：有卡被挂失",
        "{date}，您的卡被报告丢失或被盗并已暂停，任何人都无法使用。您可以在任一登记中心申请补办。\n"
        "如果不是您本人挂失，请立即与我们联系。",
        "{program}：您的卡已挂失并暂停。不是您本人？请联系我们。",
    ),
}

RUSSIAN: Texts = {
    "booking_confirmed": (
        "{program}: вы записаны на приём",
        "Вы записаны на {date} в {time}, место: {centre}.\nНомер заявления: {reference}.\n"
        "Принесите выбранные оригиналы документов. Изменить или отменить запись можно на сайте.",
        "{program}: запись на {date} {time}, {centre}.",
    ),
    "booking_reminder": (
        "{program}: ваш приём завтра",
        "Напоминаем: приём {date} в {time}, место: {centre}.\n"
        "Номер заявления: {reference}. Принесите оригиналы документов.",
        "{program}: напоминание, приём {date} {time}, {centre}.",
    ),
    "decision.approved": (
        "{program}: решение по вашему заявлению",
        "Ваше заявление {reference} одобрено. Мы сообщим, когда карту отправят почтой "
        "или её можно будет забрать.",
        "{program}: ваше заявление одобрено.",
    ),
    "decision.rejected": (
        "{program}: решение по вашему заявлению",
        "Мы не смогли одобрить заявление {reference}. Вы можете подать его снова или узнать "
        "в любом центре причину и какие документы принести.",
        "{program}: по вашему заявлению есть решение. Проверьте почту или посетите центр.",
    ),
    "card_mailed": (
        "{program}: ваша карта отправлена почтой",
        "Карта по заявлению {reference} отправлена сегодня. Она должна прийти в течение десяти "
        "дней. Если не придёт, свяжитесь с нами.",
        "{program}: ваша карта отправлена сегодня.",
    ),
    "card_ready_for_pickup": (
        "{program}: ваша карта готова",
        "Карту по заявлению {reference} можно забрать: {centre}. Возьмите документ, "
        "с которым вы регистрировались.",
        "{program}: вашу карту можно забрать: {centre}.",
    ),
    "renewal_due": (
        "{program}: пора продлить карту",
        "Срок действия вашей карты истекает {expires}, через {days} дн. Продлить её можно уже "
        "сейчас в любом центре регистрации.",
        "{program}: карта истекает через {days} дн. Продлить можно уже сейчас.",
    ),
    "disclosure": (
        "{program}: уведомление о раскрытии сведений",
        "{decided_on} мы передали сведения из вашего заявления в ответ на законный "
        "запрос (номер {request_id}). Переданы: {fields}.\n"
        "Вы можете спросить нас, что было передано и почему. Сохраните это уведомление.",
        "{program}: мы отправили вам юридическое уведомление о вашей записи. Проверьте почту "
        "или посетите центр.",
    ),
    "one_time_code": (
        "{program}: ваш одноразовый код",
        "Ваш одноразовый код: {code}. Он действует один раз, {minutes} мин.\n"
        "Если вы его не запрашивали, не обращайте внимания: ничего не изменилось.",
        "Код {program}: {code} (действует {minutes} мин). Никому не сообщайте.",
    ),
    "card_reported_lost": (
        "{program}: сообщено об утере карты",
        "{date} о вашей карте сообщили как об утерянной или украденной, и она приостановлена: "
        "ею никто не сможет воспользоваться. Замену можно заказать в любом центре.\n"
        "Если это были не вы, немедленно свяжитесь с нами.",
        "{program}: карта объявлена утерянной и приостановлена. Это не вы? Свяжитесь с нами.",
    ),
}

BENGALI: Texts = {
    "booking_confirmed": (
        "{program}: আপনার অ্যাপয়েন্টমেন্ট নিশ্চিত হয়েছে",
        "আপনার অ্যাপয়েন্টমেন্ট {date} তারিখে {time}-এ, {centre}-এ।\nআবেদনের রেফারেন্স: {reference}।\n"
        "আপনার বেছে নেওয়া মূল কাগজপত্র আনুন। বদলাতে বা বাতিল করতে ওয়েবসাইটে যান।",
        "{program}: অ্যাপয়েন্টমেন্ট {date} {time}, {centre}।",
    ),
    "booking_reminder": (
        "{program}: আপনার অ্যাপয়েন্টমেন্ট আগামীকাল",
        "মনে করিয়ে দিচ্ছি: আপনার অ্যাপয়েন্টমেন্ট {date} তারিখে {time}-এ, {centre}-এ।\n"
        "আবেদনের রেফারেন্স: {reference}। মূল কাগজপত্র আনুন।",
        "{program}: মনে রাখুন, অ্যাপয়েন্টমেন্ট {date} {time}, {centre}।",
    ),
    "decision.approved": (
        "{program}: আপনার আবেদনের সিদ্ধান্ত",
        "আপনার আবেদন {reference} অনুমোদিত হয়েছে। কার্ড ডাকে পাঠানো হলে বা সংগ্রহের জন্য প্রস্তুত হলে আমরা জানাব।",
        "{program}: আপনার আবেদন অনুমোদিত হয়েছে।",
    ),
    "decision.rejected": (
        "{program}: আপনার আবেদনের সিদ্ধান্ত",
        "আমরা আপনার আবেদন {reference} অনুমোদন করতে পারিনি। আপনি আবার আবেদন করতে পারেন, "
        "অথবা যেকোনো কেন্দ্রে কারণ ও কী আনতে হবে তা জিজ্ঞাসা করতে পারেন।",
        "{program}: আপনার আবেদনের সিদ্ধান্ত হয়েছে। ইমেল দেখুন বা একটি কেন্দ্রে আসুন।",
    ),
    "card_mailed": (
        "{program}: আপনার কার্ড ডাকে পাঠানো হয়েছে",
        "আবেদন {reference}-এর কার্ড আজ ডাকে পাঠানো হয়েছে। দশ দিনের মধ্যে পৌঁছানোর কথা। "
        "না পৌঁছালে আমাদের সাথে যোগাযোগ করুন।",
        "{program}: আপনার কার্ড আজ ডাকে পাঠানো হয়েছে।",
    ),
    "card_ready_for_pickup": (
        "{program}: আপনার কার্ড প্রস্তুত",
        "আবেদন {reference}-এর কার্ড {centre}-এ সংগ্রহের জন্য প্রস্তুত। নিবন্ধনের সময়কার পরিচয়পত্র সঙ্গে আনুন।",
        "{program}: আপনার কার্ড {centre}-এ সংগ্রহের জন্য প্রস্তুত।",
    ),
    "renewal_due": (
        "{program}: কার্ড নবায়নের সময় হয়েছে",
        "আপনার কার্ডের মেয়াদ {expires} তারিখে, {days} দিন পরে শেষ হবে। এখনই যেকোনো নিবন্ধন "
        "কেন্দ্রে নবায়ন করতে পারেন।",
        "{program}: আপনার কার্ডের মেয়াদ {days} দিনে শেষ হবে। এখনই নবায়ন করতে পারেন।",
    ),
    "disclosure": (
        "{program}: তথ্য প্রকাশের নোটিশ",
        "{decided_on} তারিখে একটি আইনি অনুরোধের (রেফারেন্স {request_id}) জবাবে আমরা আপনার "
        "আবেদনের তথ্য প্রকাশ করেছি। প্রকাশিত: {fields}।\n"
        "কী প্রকাশ করা হয়েছে এবং কেন, তা আপনি আমাদের জিজ্ঞাসা করতে পারেন। এই নোটিশটি রেখে দিন।",
        "{program}: আপনার রেকর্ড নিয়ে আমরা একটি আইনি নোটিশ পাঠিয়েছি। ইমেল দেখুন বা একটি কেন্দ্রে আসুন।",
    ),
    "one_time_code": (
        "{program}: আপনার এককালীন কোড",
        "আপনার এককালীন কোড {code}। এটি একবারই, {minutes} মিনিটের জন্য কাজ করবে।\n"
        "আপনি না চেয়ে থাকলে এই বার্তাটি উপেক্ষা করুন: কিছুই বদলায়নি।",
        "{program} কোড: {code} ({minutes} মিনিট বৈধ)। কাউকে বলবেন না।",
    ),
    "card_reported_lost": (
        "{program}: একটি কার্ড হারানোর খবর দেওয়া হয়েছে",
        "{date} তারিখে আপনার কার্ড হারানো বা চুরি হিসেবে জানানো হয়েছে এবং স্থগিত করা হয়েছে, "
        "তাই কেউ এটি ব্যবহার করতে পারবে না। যেকোনো নিবন্ধন কেন্দ্রে বদলি কার্ড চাইতে পারেন।\n"
        "আপনি না জানিয়ে থাকলে এখনই আমাদের সাথে যোগাযোগ করুন।",
        "{program}: আপনার কার্ড হারানো হিসেবে জানানো ও স্থগিত হয়েছে। আপনি নন? যোগাযোগ করুন।",
    ),
}

HAITIAN: Texts = {
    "booking_confirmed": (
        "{program}: randevou ou konfime",
        "Randevou ou se {date} a {time}, nan {centre}.\nReferans aplikasyon an: {reference}.\n"
        "Pote dokiman orijinal ou te chwazi yo. Pou chanje oswa anile, ale sou sit wèb la.",
        "{program}: randevou {date} {time}, {centre}.",
    ),
    "booking_reminder": (
        "{program}: randevou ou se demen",
        "Raple: randevou ou se {date} a {time}, nan {centre}.\n"
        "Referans aplikasyon an: {reference}. Pote dokiman orijinal yo.",
        "{program}: raple, randevou {date} {time}, {centre}.",
    ),
    "decision.approved": (
        "{program}: yon desizyon sou aplikasyon ou",
        "Aplikasyon ou {reference} apwouve. N ap fè ou konnen lè yo voye kat ou a pa lapòs "
        "oswa lè li pare pou ou vin chèche l.",
        "{program}: aplikasyon ou apwouve.",
    ),
    "decision.rejected": (
        "{program}: yon desizyon sou aplikasyon ou",
        "Nou pa t kapab apwouve aplikasyon ou {reference}. Ou ka aplike ankò, oswa mande nan "
        "nenpòt sant poukisa ak kisa pou w pote.",
        "{program}: gen yon desizyon sou aplikasyon ou. Tcheke imèl ou oswa ale nan yon sant.",
    ),
    "card_mailed": (
        "{program}: yo voye kat ou a pa lapòs",
        "Yo voye kat aplikasyon {reference} a pa lapòs jodi a. Li ta dwe rive nan dis jou. "
        "Si li pa rive, kontakte nou.",
        "{program}: yo voye kat ou a pa lapòs jodi a.",
    ),
    "card_ready_for_pickup": (
        "{program}: kat ou a pare",
        "Kat aplikasyon {reference} a pare pou ou vin chèche l nan {centre}. Pote pyès "
        "idantite ou te itilize pou enskri a.",
        "{program}: kat ou a pare nan {centre}.",
    ),
    "renewal_due": (
        "{program}: li lè pou renouvle kat ou",
        "Kat ou a ap ekspire {expires}, nan {days} jou. Ou ka renouvle l kounye a nan nenpòt "
        "sant enskripsyon.",
        "{program}: kat ou a ap ekspire nan {days} jou. Ou ka renouvle l kounye a.",
    ),
    "disclosure": (
        "{program}: avi sou yon divilgasyon",
        "Nan dat {decided_on} nou te bay enfòmasyon ki soti nan aplikasyon ou pou reponn "
        "yon demann legal (referans {request_id}). Sa nou te bay: {fields}.\n"
        "Ou ka mande nou kisa nou te bay ak poukisa. Kenbe avi sa a.",
        "{program}: nou voye yon avi legal sou dosye ou. Tcheke imèl ou oswa ale nan yon sant.",
    ),
    "one_time_code": (
        "{program}: kòd ou pou yon sèl fwa",
        "Kòd ou pou yon sèl fwa se {code}. Li mache yon sèl fwa, pandan {minutes} minit.\n"
        "Si se pa ou ki te mande l, pa okipe mesaj sa a: anyen pa chanje.",
        "Kòd {program}: {code} (valab {minutes} min). Pa bay pesonn li.",
    ),
    "card_reported_lost": (
        "{program}: yo rapòte yon kat pèdi",
        "Nan dat {date} yo rapòte kat ou a pèdi oswa vòlè epi yo sispann li, kidonk pesonn pa "
        "ka itilize l. Ou ka mande yon ranplasman nan nenpòt sant enskripsyon.\n"
        "Si se pa ou ki te rapòte l, kontakte nou touswit.",
        "{program}: yo rapòte kat ou a pèdi e li sispann. Se pa ou? Kontakte nou.",
    ),
}

KOREAN: Texts = {
    "booking_confirmed": (
        "{program}: 예약이 확정되었습니다",
        "예약 일시는 {date} {time}, 장소는 {centre}입니다.\n신청 참조 번호: {reference}.\n"
        "선택하신 서류 원본을 지참하십시오. 변경하거나 취소하려면 웹사이트를 방문하십시오.",
        "{program}: {date} {time} 예약, {centre}.",
    ),
    "booking_reminder": (
        "{program}: 내일 예약이 있습니다",
        "알림: 예약 일시는 {date} {time}, 장소는 {centre}입니다.\n"
        "신청 참조 번호: {reference}. 서류 원본을 지참하십시오.",
        "{program}: 알림, {date} {time} 예약, {centre}.",
    ),
    "decision.approved": (
        "{program}: 신청에 대한 결정",
        "신청 {reference}이(가) 승인되었습니다. 카드가 우편으로 발송되거나 수령할 준비가 되면 "
        "알려 드리겠습니다.",
        "{program}: 신청이 승인되었습니다.",
    ),
    "decision.rejected": (
        "{program}: 신청에 대한 결정",
        "신청 {reference}을(를) 승인할 수 없었습니다. 다시 신청하시거나, 가까운 센터에서 이유와 "
        "필요한 서류를 문의하십시오.",
        "{program}: 신청에 대한 결정이 있습니다. 이메일을 확인하시거나 센터를 방문하십시오.",
    ),
    "card_mailed": (
        "{program}: 카드가 우편으로 발송되었습니다",
        "신청 {reference}의 카드가 오늘 발송되었습니다. 10일 이내에 도착할 예정입니다. "
        "도착하지 않으면 연락해 주십시오.",
        "{program}: 카드가 오늘 발송되었습니다.",
    ),
    "card_ready_for_pickup": (
        "{program}: 카드가 준비되었습니다",
        "신청 {reference}의 카드를 {centre}에서 수령하실 수 있습니다. 등록할 때 사용한 신분증을 "
        "지참하십시오.",
        "{program}: {centre}에서 카드를 수령하실 수 있습니다.",
    ),
    "renewal_due": (
        "{program}: 카드를 갱신할 때입니다",
        "카드가 {expires}에, {days}일 후 만료됩니다. 지금 가까운 등록 센터에서 갱신하실 수 "
        "있습니다.",
        "{program}: 카드가 {days}일 후 만료됩니다. 지금 갱신할 수 있습니다.",
    ),
    "disclosure": (
        "{program}: 정보 공개 통지",
        "{decided_on}에 법적 요청(참조 번호 {request_id})에 따라 귀하의 신청서 정보를 "
        "제공했습니다. 제공된 항목: {fields}.\n"
        "무엇이 왜 제공되었는지 문의하실 수 있습니다. 이 통지를 보관하십시오.",
        "{program}: 귀하의 기록에 관한 법적 통지를 보내 드렸습니다. 이메일을 확인하시거나 센터를 "
        "방문하십시오.",
    ),
    "one_time_code": (
        "{program}: 일회용 코드",
        "일회용 코드는 {code}입니다. {minutes}분 동안 한 번만 사용할 수 있습니다.\n"
        "요청하지 않으셨다면 이 메시지를 무시하십시오. 아무것도 바뀌지 않았습니다.",
        "{program} 코드: {code} ({minutes}분간 유효). 다른 사람에게 알려 주지 마십시오.",
    ),
    "card_reported_lost": (
        "{program}: 카드 분실 신고가 접수되었습니다",
        "{date}에 귀하의 카드가 분실 또는 도난 신고되어 정지되었으므로 아무도 사용할 수 없습니다. "
        "가까운 등록 센터에서 재발급을 신청하실 수 있습니다.\n"
        "직접 신고하지 않으셨다면 즉시 연락해 주십시오.",
        "{program}: 카드가 분실 신고되어 정지되었습니다. 본인이 아니라면 연락해 주십시오.",
    ),
}

ARABIC: Texts = {
    "booking_confirmed": (
        "{program}: تم حجز موعدك",
        "موعدك يوم {date} الساعة {time}، في {centre}.\nمرجع الطلب: {reference}.\n"
        "أحضر أصول الوثائق التي اخترتها. للتغيير أو الإلغاء، زر الموقع الإلكتروني.",
        "{program}: موعد محجوز {date} {time}، {centre}.",
    ),
    "booking_reminder": (
        "{program}: موعدك غدًا",
        "تذكير: موعدك يوم {date} الساعة {time}، في {centre}.\n"
        "مرجع الطلب: {reference}. أحضر أصول الوثائق.",
        "{program}: تذكير، موعد {date} {time}، {centre}.",
    ),
    "decision.approved": (
        "{program}: قرار بشأن طلبك",
        "تمت الموافقة على طلبك {reference}. سنخبرك عندما تُرسل بطاقتك بالبريد أو تصبح جاهزة "
        "للاستلام.",
        "{program}: تمت الموافقة على طلبك.",
    ),
    "decision.rejected": (
        "{program}: قرار بشأن طلبك",
        "لم نتمكن من الموافقة على طلبك {reference}. يمكنك التقديم مرة أخرى، أو السؤال في أي "
        "مركز عن السبب وعما يمكنك إحضاره.",
        "{program}: صدر قرار بشأن طلبك. تحقق من بريدك الإلكتروني أو زر مركزًا.",
    ),
    "card_mailed": (
        "{program}: أُرسلت بطاقتك بالبريد",
        "أُرسلت بطاقة الطلب {reference} بالبريد اليوم. يُفترض أن تصل خلال عشرة أيام. "
        "إن لم تصل، اتصل بنا.",
        "{program}: أُرسلت بطاقتك بالبريد اليوم.",
    ),
    "card_ready_for_pickup": (
        "{program}: بطاقتك جاهزة",
        "بطاقة الطلب {reference} جاهزة للاستلام في {centre}. أحضر وثيقة الهوية التي سجلت بها.",
        "{program}: بطاقتك جاهزة للاستلام في {centre}.",
    ),
    "renewal_due": (
        "{program}: حان وقت تجديد بطاقتك",
        "تنتهي بطاقتك في {expires}، بعد {days} يومًا. يمكنك تجديدها الآن في أي مركز تسجيل.",
        "{program}: تنتهي بطاقتك بعد {days} يومًا. يمكنك تجديدها الآن.",
    ),
    "disclosure": (
        "{program}: إشعار بالإفصاح",
        "في {decided_on} أفصحنا عن معلومات من طلبك استجابةً لطلب قانوني "
        "(المرجع {request_id}). ما تم الإفصاح عنه: {fields}.\n"
        "يمكنك أن تسألنا عما تم الإفصاح عنه ولماذا. احتفظ بهذا الإشعار.",
        "{program}: أرسلنا إليك إشعارًا قانونيًا بشأن سجلك. تحقق من بريدك الإلكتروني أو زر مركزًا.",
    ),
    "one_time_code": (
        "{program}: رمزك لمرة واحدة",
        "رمزك لمرة واحدة هو {code}. يصلح مرة واحدة لمدة {minutes} دقائق.\n"
        "إن لم تطلبه، فتجاهل هذه الرسالة: لم يتغير شيء.",
        "رمز {program}: {code} (صالح {minutes} دقائق). لا تشاركه مع أحد.",
    ),
    "card_reported_lost": (
        "{program}: أُبلغ عن فقدان بطاقة",
        "في {date} أُبلغ عن فقدان بطاقتك أو سرقتها وأُوقفت، فلا يمكن لأحد استخدامها. "
        "يمكن طلب بطاقة بديلة في أي مركز تسجيل.\n"
        "إن لم تكن أنت من أبلغ، فاتصل بنا فورًا.",
        "{program}: أُبلغ عن فقدان بطاقتك وأُوقفت. لست أنت؟ اتصل بنا.",
    ),
}
