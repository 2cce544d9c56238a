from django import template
from django.utils.html import format_html_join

from roundtable.core.forms import widget_kind

register = template.Library()

_BASE_CLASS = {
    "input": "govuk-input",
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "file": "govuk-file-upload",
}


@register.filter
def kind(bound_field) -> str:
    return widget_kind(bound_field.field.widget)


@register.simple_tag
def govuk_widget(bound_field, extra_class: str = ""):
    """Render a text-like widget with GOV.UK classes and the right aria-describedby."""
    widget_kind_name = widget_kind(bound_field.field.widget)
    classes = [_BASE_CLASS.get(widget_kind_name, ""), bound_field.field.widget.attrs.get("class", ""), extra_class]
    if bound_field.errors:
        classes.append(f"{_BASE_CLASS.get(widget_kind_name, 'govuk-input')}--error")
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        described_by.append(f"{bound_field.auto_id}-error")
    attrs = {"class": " ".join(c for c in classes if c)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def error_summary_items(form):
    """List items for the error summary, each linking to its field."""
    rows = []
    for field_name, errors in form.errors.items():
        anchor = "#main-content"
        if field_name in form.fields:
            bound = form[field_name]
            # GOV.UK: a summary link to a group of radios or checkboxes targets the first option.
            suffix = "_0" if widget_kind(bound.field.widget) in ("radios", "checkboxes") else ""
            anchor = f"#{bound.auto_id}{suffix}"
        for error in errors:
            rows.append((anchor, error))
    return format_html_join("", '<li><a href="{}">{}</a></li>', rows)
