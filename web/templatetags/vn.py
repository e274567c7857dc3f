"""Numbers as Vietnamese pages write them: decimal comma, two decimals ("85,75")."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def vn(value):
    if value is None or value == "":
        return "–"
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except Exception:
        return value
    return f"{number:,}".replace(",", " ").replace(".", ",").replace(" ", ".")


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
