"""How numbers, statuses and names are written and ordered for people (Vietnamese conventions)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import cache
from typing import Any

STATUS_LABELS = {
    "not_submitted": "Chưa nộp",
    "submitted": "Đã nộp",
    "partly_verified": "Đang thẩm định",
    "needs_reverification": "Chờ thẩm định lại",
    "verified": "Đã thẩm định",
    "excluded": "Không đánh giá",
    "published": "Công bố",
}
TIER_LABELS = {"so": "Cấp sở", "huyen": "Cấp huyện", "xa": "Cấp xã"}
STATE_LABELS = {"open": "Đang nhận phiếu", "verifying": "Đang thẩm định", "published": "Đã công bố"}


def vn_number(value: Decimal | int | None, empty: str = "–") -> str:
    """25.2 → '25,2'; 29.75 → '29,75'; 21.00 → '21'; 1234.5 → '1.234,5'."""
    if value is None:
        return empty
    number = Decimal(value)
    text = format(number.normalize() if number != number.to_integral_value() else number.to_integral_value(), "f")
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    grouped = ".".join([digits, *groups])
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


# ---------------------------------------------------------------------------
# Vietnamese alphabetical order, search folding and tone-mark spelling
# ---------------------------------------------------------------------------

# ICU's Vietnamese collation (CLDR "vi"): a ă â b c d đ e ê … o ô ơ … u ư … y as letters of
# their own; tone marks compare only where the letters are equal, in dictionary order
# (ngang, huyền, hỏi, ngã, sắc, nặng); case last. ICU normalises, so NFC and NFD sort alike.
# Made when first used: most commands sort nothing, and every module imports this one.
@cache
def _collator() -> Any:
    import icu

    return icu.Collator.createInstance(icu.Locale("vi"))


def collation_key(text: str) -> bytes:
    """Sort key of a text in Vietnamese alphabetical order (Đoan Hùng < Hạ Hòa < Tân Sơn <
    Thanh Ba < Thanh Thủy); never code-point order, which puts every accented letter after z."""
    return _collator().getSortKey(text)


def name_order(name: str, unit_id: str) -> tuple[bytes, str]:
    """Order of units by name (Vietnamese alphabet), the id breaking a tie of equal names."""
    return collation_key(name), unit_id


# One tone-mark spelling (stated in README.md): in the open syllables oa, oe and uy (no final
# consonant or vowel, not after q) the tone mark sits on the first vowel, "Hòa, Thủy, Khỏe",
# as in most of the official list of administrative units (GSO codes) and in the decision's
# own text, not "Hoà, Thuỷ, Khoẻ". Closed syllables (Hoàng, Khoán, Huỳnh) have one spelling.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_SECOND_VOWEL_TONE = re.compile(rf"(?<![qQ])([oO][aAeE]|[uU][yY])([{_TONES}])(?![\w{_TONES}])")


def tone_marks_on_first_vowel(text: str) -> str:
    """The text with the tone of open oa/oe/uy syllables on the first vowel: Hạ Hoà → Hạ Hòa,
    Thanh Thuỷ → Thanh Thủy; every other letter unchanged. Returns NFC."""
    decomposed = unicodedata.normalize("NFD", text)
    fixed = _SECOND_VOWEL_TONE.sub(lambda m: m[1][0] + m[2] + m[1][1], decomposed)
    return unicodedata.normalize("NFC", fixed)
