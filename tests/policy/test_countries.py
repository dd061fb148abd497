"""Country pickers: pinyin order, search keys, and every country field of every form is
the searchable one."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from django import forms
from django.utils import translation

import waishi
from waishi.lib.forms import SearchableSelect, SearchableSelectMultiple
from waishi.policy import countries

# Known readings (现代汉语词典), not computed: name -> (pinyin, initials).
KNOWN = {
    "US": ("meiguo", "mg"),
    "JP": ("riben", "rb"),
    "DE": ("deguo", "dg"),
    "FR": ("faguo", "fg"),
    "KP": ("chaoxian", "cx"),
    "PE": ("bilu", "bl"),  # 秘鲁: bì, not mì
    "CV": ("fodejiao", "fdj"),  # 佛得角: fó, not fú
    "HN": ("hongdulasi", "hdls"),  # 洪都拉斯: dū, not dōu
    "HK": ("zhongguoxianggang", "zgxg"),
    "CD": ("gangguojin", "ggj"),  # 刚果（金）: the brackets are not spelled
}


@pytest.mark.parametrize(("code", "reading"), KNOWN.items())
def test_pinyin_and_initials(code, reading):
    keys = countries.search_keys(code)
    assert (keys["pinyin"], keys["initials"]) == reading
    assert keys["code"] == code


def _names(english=False):
    return [name for _code, name in countries.choices(english=english)]


def test_chinese_order_is_by_pinyin_syllable_by_syllable():
    names = _names()
    assert names[0] == "阿尔巴尼亚"  # a er …: the first country in a Chinese list
    # Every 阿 (a) before 埃 and 爱 (ai), 安 (an) after them, 澳 and 奥 (ao) after 安.
    first_of = {ch: [n for n in names if n.startswith(ch)] for ch in "阿埃安澳"}
    assert names.index(first_of["阿"][-1]) < names.index(first_of["埃"][0])
    assert names.index(first_of["埃"][-1]) < names.index(first_of["安"][0])
    assert names.index(first_of["安"][-1]) < names.index(first_of["澳"][0])
    # A few pairs a reader knows: de < e < fa, mei < ri < zhong.
    for before, after in (
        ("德国", "俄罗斯"),
        ("俄罗斯", "法国"),
        ("美国", "日本"),
        ("日本", "中国"),
    ):
        assert names.index(before) < names.index(after), (before, after)
    assert names[-1].startswith(("中国", "佐", "左"))  # zh… last


def test_english_order_is_alphabetical():
    names = _names(english=True)
    assert names[:2] == ["Afghanistan", "Albania"]
    assert names.index("Germany") < names.index("Japan") < names.index("United States")


def test_exclude_and_first():
    codes = [code for code, _name in countries.choices(exclude=("CN",), english=False)]
    assert "CN" not in codes and len(codes) == len(countries.choices()) - 1
    first = countries.choices(first="CN", english=False)
    assert first[0] == ("CN", "中国")


def test_the_picker_carries_the_search_keys():
    field = countries.CountryField(label="国家", blank="—", required=False)
    with translation.override("zh-hans"):
        rendered = field.widget.render("country", "US")
    option = re.search(r"<option [^>]*value=\"US\"[^>]*>[^<]*</option>", rendered).group(0)
    assert 'data-pinyin="meiguo"' in option and 'data-initials="mg"' in option
    assert "selected" in option and ">美国<" in option
    assert "data-picker" in rendered and "waishi/picker.js" in rendered
    first = re.findall(r'<option value="([A-Z]*)"', rendered)[:2]
    assert first == ["", "AL"]  # "none", then 阿尔巴尼亚


def test_a_choice_outside_the_list_is_refused():
    field = countries.CountryField(label="国家", required=True)
    assert field.clean("US") == "US"
    with pytest.raises(forms.ValidationError):
        field.clean("XX")
    many = countries.CountriesField(label="国家", exclude=("CN",))
    assert many.clean(["US", "JP"]) == ["US", "JP"]
    with pytest.raises(forms.ValidationError):
        many.clean(["CN"])


COUNTRY_FIELD = re.compile(r"(^|_)(country|countries|nationality)$")


def _forms():
    for module in pkgutil.walk_packages(waishi.__path__, "waishi."):
        if "migrations" in module.name or "management" in module.name:
            continue
        loaded = importlib.import_module(module.name)
        for value in vars(loaded).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                yield value


def test_every_country_field_of_every_form_is_the_searchable_picker():
    seen = []
    for form in set(_forms()):
        for name, field in form.base_fields.items():
            if COUNTRY_FIELD.search(name) and isinstance(field, forms.ChoiceField):
                seen.append(f"{form.__name__}.{name}")
                assert isinstance(field.widget, SearchableSelect | SearchableSelectMultiple), (
                    f"{form.__module__}.{form.__name__}.{name}"
                )
    # The forms the issue names: the trip's stops, budget and list filter, the plan
    # entry, the hot destinations, the declaration.
    for expected in (
        "StopForm.country",
        "BudgetForm.country",
        "MissionSearchForm.country",
        "EntryForm.countries",
        "HotDestinationForm.add_country",
        "DeclarationForm.nationality",
    ):
        assert expected in seen
