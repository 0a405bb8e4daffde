"""One way to write numbers for people: CLI tables, report text and web pages.

- Significant digits that fit the quantity: whole numbers from 1,000 up (14,230 tok/s; a
  datasheet's 2,039 GB/s is never rounded), 3 significant digits below (12.3 ms, 0.0456).
- Thousands separators; no scientific notation for everyday magnitudes (1e-6 ≤ |x| < 1e15).
- Money to the cent ($49.35), or to 3 significant digits below a cent ($0.000123); a unit price
  (dollars per GB-hour) to 3 significant digits always, so one column compares ($0.0142, $0.0358).
- A fraction that cannot exceed 1 (utilisation, MBU) is clipped to it before it is shown.
- A missing value is "—".
"""

from __future__ import annotations

import math

MISSING = "—"
SCIENTIFIC_BELOW = 1e-6
SCIENTIFIC_FROM = 1e15


def decimals_for(value: float, significant: int) -> int:
    """Decimal places that show `significant` digits of `value` (none for large values)."""
    if value == 0:
        return 0
    magnitude = math.floor(math.log10(abs(value)))
    return max(0, significant - 1 - magnitude)


def format_number(value: float | int | None, unit: str = "", significant: int = 3) -> str:
    """'14,230 tok/s', '12.3 ms', '0.0456', '7', '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, float) and math.isinf(value):
        text = "∞" if value > 0 else "−∞"
    elif value != 0 and not SCIENTIFIC_BELOW <= abs(value) < SCIENTIFIC_FROM:
        text = f"{value:.{significant - 1}e}"
    elif abs(value) >= 1000:
        text = f"{value:,.0f}"
    else:
        rounded = _round_significant(float(value), significant)
        decimals = 0 if rounded.is_integer() else decimals_for(rounded, significant)
        text = f"{rounded:,.{decimals}f}"
    return f"{text} {unit}".strip()


def format_wait_ms(milliseconds: float) -> str:
    """A latency as people read it: '661 ms', '1,507 ms' up to a minute, then '27.4 min',
    then '2.1 h' (a queue that grows for hours is not read in milliseconds)."""
    if milliseconds >= 3_600_000:
        return f"{milliseconds / 3_600_000:,.1f} h"
    if milliseconds >= 60_000:
        return f"{milliseconds / 60_000:.1f} min"
    return f"{milliseconds:,.0f} ms"


def format_given(value: float | int, unit: str = "") -> str:
    """A number the user gave, echoed as given: no trailing zeros, thousands separators, never
    scientific notation ('0.12', '1.3', '24', '1,000,000,000'); at most 6 decimals."""
    if isinstance(value, float) and not math.isfinite(value):
        return format_number(value, unit)
    if float(value).is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def output_tokens_text(output_tokens: float, mean_output_tokens: float | None = None) -> str:
    """A request's output length as given ('256'), or '≤ 256 (mean 180, end-of-sequence)' for
    requests that stop at end-of-sequence below it on average."""
    if mean_output_tokens is None or mean_output_tokens >= output_tokens:
        return format_given(output_tokens)
    mean = format_number(mean_output_tokens, significant=4)
    return f"≤ {format_given(output_tokens)} (mean {mean}, end-of-sequence)"


def with_article(text: str) -> str:
    """A number as written, with the article it is spoken with: 'an 8-GPU', 'an 11-hour',
    'an 18,000-token', 'an 80 ms', but 'a 4-GPU', 'a 110-hour', 'a 1.5 s'. The number is read
    aloud: 'eight…' and 'eleven'/'eighteen' (also as the leading group of thousands) open
    with a vowel sound."""
    digits = text.lstrip()
    whole = digits.split(".")[0]
    leading = whole.split(",")[0] if "," in whole else whole
    if not leading.isdigit():
        leading = "".join(c for c in leading if c.isdigit())
    vowel = digits.startswith("8") or (len(leading) % 3 == 2 and leading[:2] in ("11", "18"))
    return f"{'an' if vowel else 'a'} {text}"


def shorten_text(text: str, characters: int) -> str:
    """Text cut to at most `characters` at a word boundary, ended with '…' and the brackets it
    left open closed ('… Appendix A…', never '(images.nvidia.com/' or 'inven'); a single word
    longer than the limit (a URL) is dropped whole rather than cut."""
    if len(text) <= characters:
        return text
    kept = text[: characters - 1]
    while True:
        cut = kept.rfind(" ")
        kept = (kept[:cut] if cut > 0 else "").rstrip(" ,;:(")
        if kept.count("'") % 2:
            kept = kept[: kept.rfind("'")].rstrip(" ,;:(")
        shortened = f"{kept}…{')' * max(kept.count('(') - kept.count(')'), 0)}"
        if len(shortened) <= characters or not kept:
            return shortened


def _round_significant(value: float, significant: int) -> float:
    if value == 0:
        return 0.0
    digits = significant - 1 - math.floor(math.log10(abs(value)))
    return round(value, digits)


def format_usd(value: float | None) -> str:
    """'$1,234.57', '$0.12', '$0.00123' (3 significant digits below a cent), '—'."""
    if value is None or math.isnan(value):
        return MISSING
    sign = "−" if value < 0 else ""
    amount = abs(value)
    if amount == 0 or amount >= 0.01:
        return f"{sign}${amount:,.2f}"
    return f"{sign}${amount:.{decimals_for(amount, 3)}f}"


def format_usd_rate(value: float | None) -> str:
    """A unit price such as $ per GB of VRAM per hour: 3 significant digits ('$0.0142',
    '$0.0358', '$1.23'), where the cent would write '$0.01' and '$0.04'."""
    if value is None or math.isnan(value):
        return MISSING
    return _usd_significant(value)


SIGNIFICANT_BELOW_USD = 0.10  # a range whose value is below this is written to 3 digits


def format_usd_range(value: float | None, low: float | None, high: float | None) -> str:
    """'$0.13 ($0.10–$0.18)': the value and its band, each written by format_usd — or, when
    the value is below ten cents or any of them below a cent, all three to 3 significant
    digits, so a band never reads '$0.01 ($0.00769–$0.01)' and two systems at $0.011 and
    $0.014 an image are not both '$0.01'."""
    if value is None:
        return MISSING
    if low is None or high is None:
        return format_usd(value)
    amounts = (value, low, high)
    if 0 < abs(value) < SIGNIFICANT_BELOW_USD or any(0 < abs(a) < 0.01 for a in amounts):
        value_text, low_text, high_text = (_usd_significant(amount) for amount in amounts)
    else:
        value_text, low_text, high_text = (format_usd(amount) for amount in amounts)
    return f"{value_text} ({low_text}–{high_text})"


def _usd_significant(value: float) -> str:
    """Dollars to 3 significant digits ('$0.0125', '$0.00769', '$1.23')."""
    if value == 0 or math.isnan(value):
        return format_usd(value)
    sign = "−" if value < 0 else ""
    amount = _round_significant(abs(value), 3)
    return f"{sign}${amount:,.{decimals_for(amount, 3)}f}"


def format_fraction(value: float | None, upper_bound: float = 1.0) -> str:
    """A share as a percentage, clipped to what is physically possible: '87%', '100%'."""
    if value is None or math.isnan(value):
        return MISSING
    clipped = min(max(value, 0.0), upper_bound)
    return f"{format_number(clipped * 100, significant=3)}%"


BYTES_PER_GB = 1e9
BYTES_PER_GIB = 1024**3


def format_gib(value_gb: float | None) -> str:
    """A memory size given in GB (1e9 bytes) written in GiB (2^30 bytes), labelled: '17.2 GiB'."""
    if value_gb is None or math.isnan(value_gb):
        return MISSING
    return f"{gib_figure(value_gb)} GiB"


def gib_figure(value_gb: float) -> str:
    """format_gib's number without its unit, for a table whose column says GiB: '17.2'."""
    return f"{value_gb * BYTES_PER_GB / BYTES_PER_GIB:,.1f}"
