"""What a YAML scalar may hold, checked before int() or Decimal() sees its text.

Both readers (fastyaml and the full loader's constructor) apply these rules, so a file
reads the same, and is refused with the same message, whichever path it takes.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..core.text import vn_number

# A number's text (sign, digits, point, exponent): far above any count or ratio, far below
# Python's 4,300-digit limit on int().
MAX_NUMBER_CHARS = 32
# A decimal keeps at most 15 significant digits below 10^15: every number has an exact JSON form.
MAX_DECIMAL_DIGITS = 15
# What a double-quoted escape can put in a string that no output should carry (tab and line
# breaks are text; the rest are control characters, lone surrogates and non-characters).
CONTROL_IN_VALUE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def number_text_problem(text: str) -> str | None:
    """Why a number's text is refused (too long), or None."""
    if len(text) > MAX_NUMBER_CHARS:
        return f"số quá dài ({vn_number(len(text))} ký tự; tối đa {MAX_NUMBER_CHARS})"
    return None


def decimal_problem(value: Decimal, text: str) -> str | None:
    """Why a decimal is refused (not finite, too large, too many digits), or None."""
    if not value.is_finite():
        return "giá trị .nan/.inf không phải là một số hợp lệ; hãy ghi một số cụ thể"
    if value and value.adjusted() >= MAX_DECIMAL_DIGITS:
        return f"số {text} quá lớn (phải nhỏ hơn 10^{MAX_DECIMAL_DIGITS})"
    if len(value.normalize().as_tuple().digits) > MAX_DECIMAL_DIGITS:
        return f"số {text} có quá {MAX_DECIMAL_DIGITS} chữ số có nghĩa; hãy làm tròn"
    return None


def string_problem(value: str) -> str | None:
    """Why a string is refused (a control character an escape put in it), or None."""
    found = CONTROL_IN_VALUE.search(value)
    if found is None:
        return None
    return f"chuỗi có ký tự điều khiển U+{ord(found.group()):04X}, không được phép; hãy xóa ký tự này"
