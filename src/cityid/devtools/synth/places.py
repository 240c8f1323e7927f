"""Where synthetic New Yorkers live: boroughs by postal code, Queens towns, streets,
and the enrollment centres.
"""

from __future__ import annotations

# Borough by the first three digits of a postal code; share of the city's population.
BOROUGHS: dict[str, tuple[tuple[str, ...], float]] = {
    "Manhattan": (("100", "101", "102"), 0.19),
    "Staten Island": (("103",), 0.06),
    "Bronx": (("104",), 0.17),
    "Brooklyn": (("112",), 0.31),
    "Queens": (("110", "111", "113", "114", "116"), 0.27),
}


QUEENS_TOWNS = {
    "110": "Floral Park",
    "111": "Long Island City",
    "113": "Flushing",
    "114": "Jamaica",
    "116": "Far Rockaway",
}


STREETS: dict[str, tuple[str, ...]] = {
    "Manhattan": (
        "Broadway", "Amsterdam Ave", "Lexington Ave", "Madison Ave", "St Nicholas Ave",
        "Avenue B", "Canal St", "Dyckman St", "Lenox Ave", "Convent Ave", "Delancey St",
        "Mott St", "Grand St", "Fort Washington Ave", "Frederick Douglass Blvd", "1st Ave",
        "2nd Ave", "3rd Ave", "E {n} St", "W {n} St",
    ),
    "Brooklyn": (
        "Flatbush Ave", "Atlantic Ave", "Eastern Pkwy", "Ocean Pkwy", "Nostrand Ave",
        "Bedford Ave", "Kings Hwy", "Church Ave", "Brighton Beach Ave", "Myrtle Ave",
        "Fulton St", "Coney Island Ave", "Avenue J", "Avenue U", "Utica Ave", "Linden Blvd",
        "{n} St", "E {n} St", "Bay Pkwy", "Lee Ave",
    ),
    "Queens": (
        "Roosevelt Ave", "Northern Blvd", "Queens Blvd", "Main St", "Jamaica Ave",
        "Hillside Ave", "Steinway St", "Ditmars Blvd", "Kissena Blvd", "Liberty Ave",
        "{n} St", "{n} Ave", "{n} Rd", "{n} Dr", "Junction Blvd", "Parsons Blvd",
    ),
    "Bronx": (
        "Grand Concourse", "Fordham Rd", "Jerome Ave", "Webster Ave", "Southern Blvd",
        "E Tremont Ave", "Westchester Ave", "Boston Rd", "University Ave", "Sedgwick Ave",
        "Morris Ave", "Gun Hill Rd", "E {n} St", "White Plains Rd",
    ),
    "Staten Island": (
        "Victory Blvd", "Richmond Ave", "Forest Ave", "Hylan Blvd", "Bay St", "Richmond Rd",
        "Castleton Ave", "Port Richmond Ave", "Targee St", "Amboy Rd",
    ),
}  # fmt: skip


GENERIC_STREETS = ("Main St", "Oak Ave", "Park Ave", "Church St", "{n} St", "{n} Ave")


CENTRES = {
    "Manhattan": ("manhattan-1", "manhattan-2", "manhattan-3"),
    "Brooklyn": ("brooklyn-1", "brooklyn-2", "brooklyn-3"),
    "Queens": ("queens-1", "queens-2", "queens-3"),
    "Bronx": ("bronx-1", "bronx-2"),
    "Staten Island": ("staten-island-1",),
}
