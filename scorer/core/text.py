"""How numbers and statuses are written for people (Vietnamese conventions)."""

from __future__ import annotations

from decimal import Decimal

STATUS_LABELS = {
    "not_submitted": "Chưa nộp",
    "submitted": "Đã nộp",
    "partly_verified": "Đang thẩm định",
    "needs_reverification": "Chờ thẩm định lại",
    "verified": "Đã thẩm định",
    "excluded": "Không đánh giá",
    "published": "Công bố",
}
STAGE_LABELS = {"district": "UBND huyện", "province": "Sở TT&TT"}
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
