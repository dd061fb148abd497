"""The leak detector (tests/leaks.py): what it flags and what it lets pass.

The examples flagged are the ones a new user found on the pages (issue 16); the ones let
pass are what a Chinese government page does show in Latin letters."""

from __future__ import annotations

import pytest

from tests.leaks import find_leaks, is_chinese


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stops[0].country: 缺少必填字段", "field path: stops[0].country"),
        ("budget[0].currency：请选择", "field path: budget[0].currency"),
        ("变更内容：{'LEAD_TIME': {'days': 30}}", "Python repr: {'LEAD_TIME':"),
        ("条件：{'always': True}", "Python repr: {'always':"),
        ("适用：['bureau', 'county']", "Python repr: ['bureau',"),
        (
            "对象：<Mission object at 0x7f3a2b1c9d30>",
            "Python repr: <Mission object at 0x7f3a2b1c9d30>",
        ),
        ("对象：Mission object (12)", "Python repr: Mission object (12)"),
        ("备注：None", "Python constant: None"),
        ("强制：False", "Python constant: False"),
        ("单位类型：bureau、county_division", "snake_case name: county_division"),
        ("动作：missions.mission.depart", "dotted code: missions.mission.depart"),
        ("来源类型: missions.mission", "dotted code: missions.mission"),
        ("理由（LEAD_TIME）：时间紧", "rule code: LEAD_TIME"),
        ("持照人: #122", "a record's number for its name: : #122"),
        ("模型：MissionStop", "CamelCase name: MissionStop"),
        ("字段：arrivalDate", "CamelCase name: arrivalDate"),
        ("字段：_private", "snake_case name: _private"),
        ("申报单的航班信息：declaration/airline", "English word: declaration"),
        ("活动：campaign 1", "English word: campaign"),
        ("Mermaid 流程图", "English word: Mermaid"),
        ("频次规则 FREQUENCY 未通过", "English word: FREQUENCY"),
    ],
)
def test_flags(text, expected):
    assert expected in find_leaks(text)


@pytest.mark.parametrize(
    "text",
    [
        "请在 2026-12-07 前提交出访申请。",
        "编号 WS-2026-0012，护照号 E12345678，单位代码 HB-COM",
        "导出 Excel 文件或下载 PDF；身份证 ID；API 令牌；URL 与 IP 地址",
        "请联系 zhang.san@waishi.example.cn 或访问 https://waishi.gov.cn/help/a_b",
        "文件：出访报告.docx、名单.xlsx；网站 waishi.gov.cn",
        "国家：美国 (USA)、中国 (CN)",
        "行程约 1200 km，加密算法 SM4 与 SM3，版本 1.2.3",
        "第1站 国家：缺少必填字段",
        "人员 #12（无权查看）",
        "预算：[1, 2]",
        "U.S. Virgin Islands",
        "Heard & McDonald Islands",
        "e.g. CA936, or Frankfurt–Beijing–here by train",
    ],
)
def test_lets_pass(text):
    assert find_leaks(text) == []


def test_english_words_are_leaks_only_on_a_chinese_page():
    assert find_leaks("The trip report is due in 30 days.") == []
    assert find_leaks("report", chinese=True) == ["English word: report"]
    assert find_leaks("出访报告 report") == ["English word: report"]


def test_english_page_still_refuses_the_codes():
    text = "Rule LEAD_TIME failed for stops[0].country; state in_review; None"
    assert find_leaks(text) == [
        "field path: stops[0].country",
        "Python constant: None",
        "rule code: LEAD_TIME",
        "snake_case name: in_review",
    ]


def test_plain_english_none_is_not_a_constant():
    assert find_leaks("None of the members has a passport.") == []


def test_a_leak_inside_another_is_named_once():
    assert find_leaks("stops[0].start_date") == ["field path: stops[0].start_date"]


def test_is_chinese():
    assert is_chinese("出访任务 WS-2026-0012")
    assert not is_chinese("Trip WS-2026-0012 by 张三 was approved by the head")
    assert not is_chinese("")
