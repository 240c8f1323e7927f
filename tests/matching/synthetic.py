"""A small synthetic applicant generator for the matching tests (with known duplicates).

Not the product's `cityid synth`: just enough variety (Zipf-ish name frequencies, New
York postal codes, realistic duplicate edits) to measure blocking and scoring.
"""

from __future__ import annotations

import random
from typing import Any

GIVEN = (  # noqa: SIM905
    "maria jose juan luis carlos ana rosa carmen william robert michael james john mary "
    "patricia jennifer linda elizabeth susan jessica sarah karen nancy lisa betty margaret "
    "sandra ashley kimberly emily donna michelle dorothy carol amanda melissa deborah "
    "stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna brenda pamela "
    "emma nicole helen samantha katherine christine debra rachel carolyn janet catherine "
    "heather diane ruth julie olivia joyce virginia victoria kelly lauren christina joan "
    "evelyn judith megan andrea cheryl hannah jacqueline martha gloria teresa ann sara "
    "madison frances kathryn janice jean abigail alice judy sophia grace denise amber "
    "doris marilyn danielle beverly isabella theresa diana natalie brittany charlotte "
    "marie kayla alexis lori david richard joseph thomas charles christopher daniel "
    "matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george "
    "timothy ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen "
    "larry justin scott brandon benjamin samuel gregory alexander frank patrick raymond "
    "jack dennis jerry tyler aaron adam henry nathan douglas zachary peter kyle ethan "
    "walter noah jeremy christian keith roger terry gerald harold sean austin arthur "
    "lawrence jesse dylan bryan joe jordan billy bruce albert willie gabriel logan alan "
    "wei li ming yan fatima mohammed ahmed aisha omar ibrahim mamadou aminata kwame "
    "oksana dmitri olga ivan svetlana guadalupe francisco miguel alejandro jesus pedro "
    "manuel rafael ramon fernando ricardo eduardo javier sergio roberto mario hector "
    "raul jorge oscar rigoberto esperanza yesenia marisol xiomara dayana priya rahul "
    "anil sunita deepak tenzin pema nguyen thanh huong minh jae soo hyun yuki haruto"
).split()
FAMILY = (  # noqa: SIM905
    "garcia rodriguez martinez hernandez lopez gonzalez perez sanchez ramirez torres "
    "flores rivera gomez diaz cruz morales reyes gutierrez ortiz ramos castillo jimenez "
    "vasquez romero herrera medina aguilar vargas castro mendoza ruiz alvarez fernandez "
    "smith johnson williams brown jones miller davis wilson anderson taylor thomas moore "
    "jackson martin lee thompson white harris clark lewis robinson walker young allen king "
    "wright scott green baker adams nelson hill campbell mitchell roberts carter phillips "
    "evans turner parker collins edwards stewart morris murphy cook rogers morgan cooper "
    "peterson bailey reed kelly howard cox ward richardson watson brooks wood james bennett "
    "gray hughes price sanders patel shah singh kumar chen wang zhang liu yang huang zhao "
    "wu zhou xu sun ma zhu hu guo kim park choi jung kang cho yoon jang lim nguyen tran le "
    "pham hoang phan vu vo dang bui do ho ngo duong ly khan ali hussain ahmed rahman islam "
    "begum mohammed hassan ibrahim mensah owusu boateng diallo traore coulibaly kone "
    "ivanov smirnov kuznetsov popov sokolov kowalski nowak wisniewski cohen levy friedman "
    "goldberg katz schwartz murray fitzgerald obrien sullivan byrne mccarthy rossi russo "
    "ferrari esposito bianchi romano colombo ricci marino greco bruno gallo conti desantis"
).split()
STREETS = (  # noqa: SIM905
    "Broadway|Amsterdam Avenue|Grand Concourse|Flatbush Avenue|Roosevelt Avenue|"
    "Atlantic Avenue|Jamaica Avenue|Ocean Parkway|Fordham Road|Nostrand Avenue|"
    "Queens Boulevard|Fulton Street|Myrtle Avenue|Kings Highway|Jerome Avenue|"
    "West 42nd Street|East 116th Street|Main Street|Victory Boulevard|Bay Street|"
    "Northern Boulevard|Steinway Street|Southern Boulevard|Utica Avenue|Church Avenue|"
    "Saint Nicholas Avenue|Lenox Avenue|Bedford Avenue|Knickerbocker Avenue|Hylan Boulevard"
).split("|")
ZIP_PREFIXES = [100, 103, 104, 111, 112, 113, 114]
NICKNAMES = {
    "william": ["bill", "will", "billy"],
    "robert": ["bob", "rob", "bobby"],
    "elizabeth": ["liz", "beth", "betty"],
    "michael": ["mike"],
    "james": ["jim", "jimmy"],
    "jose": ["pepe"],
    "francisco": ["paco", "pancho"],
    "katherine": ["kate", "katie"],
    "richard": ["rick", "dick"],
    "margaret": ["maggie", "peggy"],
    "joseph": ["joe"],
    "thomas": ["tom"],
    "christopher": ["chris"],
    "daniel": ["danny"],
    "anthony": ["tony"],
    "alexander": ["alex"],
    "jennifer": ["jenny"],
    "patricia": ["patty", "pat"],
    "guadalupe": ["lupe"],
    "eduardo": ["lalo"],
    "edward": ["ed", "eddie"],
    "samuel": ["sam"],
    "benjamin": ["ben"],
    "nicholas": ["nick"],
    "matthew": ["matt"],
}


def _cumulative(n: int) -> list[float]:
    # rank r with weight 1/(r+10): the commonest name about 3%, a long tail
    total, out = 0.0, []
    for r in range(n):
        total += 1 / (r + 10)
        out.append(total)
    return out


_CUMULATIVE = {len(GIVEN): _cumulative(len(GIVEN)), len(FAMILY): _cumulative(len(FAMILY))}


def _zipf_choice(rng: random.Random, items: list[str]) -> str:
    return rng.choices(items, cum_weights=_CUMULATIVE[len(items)])[0]


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # substitution
        return word[:i] + rng.choice("aeiourstnl") + word[i + 1 :]
    if kind == 1:  # deletion
        return word[:i] + word[i + 1 :]
    if kind == 2:  # insertion
        return word[:i] + rng.choice("aeiourstnl") + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]  # transposition


def person(rng: random.Random, person_id: int) -> dict[str, Any]:
    family = _zipf_choice(rng, FAMILY)
    if rng.random() < 0.15:
        family = f"{family} {_zipf_choice(rng, FAMILY)}"
    year = rng.randint(1940, 2012)
    return {
        "given_name": _zipf_choice(rng, GIVEN).title(),
        "family_name": family.title(),
        "date_of_birth": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "address": {
            "line1": f"{rng.randint(1, 3999)} {rng.choice(STREETS)}",
            "line2": f"Apt {rng.randint(1, 40)}" if rng.random() < 0.6 else "",
            "city": "New York",
            "state": "NY",
            "postal_code": f"{rng.choice(ZIP_PREFIXES)}{rng.randint(0, 99):02d}",
        },
        "documents": [
            {
                "type": "passport",
                "number": f"P{rng.randrange(10**8):08d}",
                "issuing_country": rng.choice(["MEX", "DOM", "ECU", "CHN", "BGD"]),
                "expires": "2030-01-01",
            }
        ],
        "truth": {"person_id": f"p{person_id}"},
    }


EDITS = (
    "typo_given",
    "typo_family",
    "nickname",
    "transpose_dm",
    "drop_surname",
    "hyphenate",
    "moved",
    "swap_names",
    "year_typo",
)


def duplicate(rng: random.Random, original: dict[str, Any], edits: list[str]) -> dict[str, Any]:
    dup = {**original, "address": dict(original["address"])}
    dup["truth"] = {**original["truth"], "edits": edits}
    for edit in edits:
        if edit == "typo_given":
            dup["given_name"] = typo(rng, dup["given_name"].lower()).title()
        elif edit == "typo_family":
            dup["family_name"] = typo(rng, dup["family_name"].lower()).title()
        elif edit == "nickname":
            nicks = NICKNAMES.get(dup["given_name"].lower())
            if nicks:
                dup["given_name"] = rng.choice(nicks).title()
        elif edit == "transpose_dm":
            y, m, d = dup["date_of_birth"].split("-")
            if int(d) <= 12:
                dup["date_of_birth"] = f"{y}-{d}-{m}"
        elif edit == "drop_surname":
            parts = dup["family_name"].split()
            dup["family_name"] = parts[0]
        elif edit == "hyphenate":
            dup["family_name"] = "-".join(reversed(dup["family_name"].split()))
        elif edit == "moved":
            dup["address"] = person(rng, -1)["address"]
        elif edit == "swap_names":
            dup["given_name"], dup["family_name"] = dup["family_name"], dup["given_name"]
        elif edit == "year_typo":
            y, m, d = dup["date_of_birth"].split("-")
            dup["date_of_birth"] = f"{int(y) + rng.choice([-1, 1])}-{m}-{d}"
    return dup


def applicants(n: int, *, duplicate_rate: float = 0.1, seed: int = 7) -> list[dict[str, Any]]:
    """n applicant lines; about duplicate_rate of them re-apply with one or two edits."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    people = 0
    while len(out) < n:
        if out and rng.random() < duplicate_rate:
            original = rng.choice(out)
            edits = rng.sample(EDITS, rng.choice([1, 1, 2]))
            out.append(duplicate(rng, original, edits))
        else:
            out.append(person(rng, people))
            people += 1
    return out
