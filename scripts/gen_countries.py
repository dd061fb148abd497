"""Generate waishi/policy/data/countries.json: every ISO 3166-1 alpha-2 code with its
Chinese (简体) and English name and its UN M49 region.

Run once; the JSON is committed and read at run time, so Babel is NOT a dependency of
waishi (keep it out of pyproject.toml and the lock files). To re-run::

    python -m venv /tmp/gen && /tmp/gen/bin/pip install babel==2.18.0
    /tmp/gen/bin/python scripts/gen_countries.py      # from the repository root

The committed file was made with Babel 2.18.0 (CLDR 47).

Sources:

- Names: CLDR as packaged by Babel, locales ``zh_Hans`` and ``en``.
  Overrides, because Chinese official usage requires them (Hong Kong, Macao and Taiwan
  are regions of China, 国家和地区; China recognises the State of Palestine):
  HK 中国香港 / "Hong Kong, China", MO 中国澳门 / "Macao, China",
  TW 中国台湾 / "Taiwan, China", PS 巴勒斯坦 (CLDR: 巴勒斯坦领土).
- Regions: Babel does not ship CLDR's territoryContainment, so the table below is
  embedded from the UN Statistics Division's "Standard country or area codes for
  statistical use (M49)", https://unstats.un.org/unsd/methodology/m49/overview/
  (sub-regions, with the intermediate regions of Sub-Saharan Africa and of Latin
  America and the Caribbean). M49 lists Taiwan under China; it is placed in Eastern
  Asia (030) here, as CLDR does. Antarctica (AQ) belongs to no M49 region.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import babel
from babel import Locale
from babel.core import get_cldr_version

OUT = Path(__file__).resolve().parent.parent / "waishi" / "policy" / "data" / "countries.json"

# M49 (intermediate) sub-region -> ISO 3166-1 alpha-2 members.
M49_SUBREGIONS: dict[str, str] = {
    # Africa (002)
    "015": "DZ EG LY MA SD TN EH",  # Northern Africa
    "014": "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW",  # Eastern
    "017": "AO CM CF TD CG CD GQ GA ST",  # Middle Africa
    "018": "BW SZ LS NA ZA",  # Southern Africa
    "011": "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",  # Western Africa
    # Americas (019); 029, 013 and 005 form Latin America and the Caribbean (419)
    "029": "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT "
    "TC VI",  # Caribbean
    "013": "BZ CR SV GT HN MX NI PA",  # Central America
    "005": "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE",  # South America
    "021": "BM CA GL PM US",  # Northern America
    # Asia (142)
    "143": "KZ KG TJ TM UZ",  # Central Asia
    "030": "CN HK MO KP JP MN KR TW",  # Eastern Asia (TW: see docstring)
    "035": "BN KH ID LA MY MM PH SG TH TL VN",  # South-eastern Asia
    "034": "AF BD BT IN IR MV NP PK LK",  # Southern Asia
    "145": "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE",  # Western Asia
    # Europe (150)
    "151": "BY BG CZ HU PL MD RO RU SK UA",  # Eastern Europe
    "154": "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB",  # Northern Europe
    "039": "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES",  # Southern Europe
    "155": "AT BE FR DE LI LU MC NL CH",  # Western Europe
    # Oceania (009)
    "053": "AU CX CC HM NZ NF",  # Australia and New Zealand
    "054": "FJ NC PG SB VU",  # Melanesia
    "057": "GU KI MH FM NR MP PW UM",  # Micronesia
    "061": "AS CK PF NU PN WS TK TO TV WF",  # Polynesia
}
NO_REGION = ("AQ",)  # Antarctica

CONTINENT = {  # sub-region -> M49 top region, by name
    **dict.fromkeys(("015", "014", "017", "018", "011"), "africa"),
    **dict.fromkeys(("029", "013", "005", "021"), "americas"),
    **dict.fromkeys(("143", "030", "035", "034", "145"), "asia"),
    **dict.fromkeys(("151", "154", "039", "155"), "europe"),
    **dict.fromkeys(("053", "054", "057", "061"), "oceania"),
}
LATIN_AMERICA = ("029", "013", "005")  # M49 419

NAME_OVERRIDES = {
    "HK": ("中国香港", "Hong Kong, China"),
    "MO": ("中国澳门", "Macao, China"),
    "TW": ("中国台湾", "Taiwan, China"),
    "PS": ("巴勒斯坦", None),
}

ISO_CODE_COUNT = 249  # ISO 3166-1 alpha-2, officially assigned


def build() -> dict[str, dict]:
    zh = Locale.parse("zh_Hans").territories
    en = Locale.parse("en").territories
    subregion_of: dict[str, str | None] = dict.fromkeys(NO_REGION)
    for sub, members in M49_SUBREGIONS.items():
        for code in members.split():
            if code in subregion_of:
                raise SystemExit(f"{code} listed twice")
            subregion_of[code] = sub
    if len(subregion_of) != ISO_CODE_COUNT:
        raise SystemExit(f"expected {ISO_CODE_COUNT} codes, got {len(subregion_of)}")
    rows: dict[str, dict] = {}
    for code in sorted(subregion_of):
        sub = subregion_of[code]
        name_zh, name_en = zh[code], en[code]
        zh_override, en_override = NAME_OVERRIDES.get(code, (None, None))
        rows[code] = {
            "name_zh": zh_override or name_zh,
            "name_en": en_override or name_en,
            "continent": CONTINENT[sub] if sub else "",
            "africa": sub is not None and CONTINENT[sub] == "africa",
            "latin_america": sub in LATIN_AMERICA,
            "south_america": sub == "005",
        }
    return rows


def main() -> int:
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        json.dump(rows, fh, ensure_ascii=False, indent=1, sort_keys=True)
        fh.write("\n")
    print(f"{OUT}: {len(rows)} codes (Babel {babel.__version__}, CLDR {get_cldr_version()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
