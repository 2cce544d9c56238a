"""ListSelect writes the same select Django's template-rendered Select does, without a
template per option (long lists of owners and organisations)."""

import pytest
from django import forms
from django.test.html import parse_html

from roundtable.core.forms import ListSelect


class Choosing(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Anyone"), ("1", "Ann <Admin> & Co"), ("2", "Bo")], required=False)
    fast = forms.ChoiceField(
        choices=[("", "Anyone"), ("1", "Ann <Admin> & Co"), ("2", "Bo")], required=False, widget=ListSelect
    )


@pytest.mark.parametrize("chosen", ["", "1", "2"])
def test_list_select_renders_what_the_template_select_renders(chosen):
    form = Choosing({"plain": chosen, "fast": chosen})
    plain = str(form["plain"].as_widget(attrs={"class": "govuk-select", "aria-describedby": "hint"}))
    fast = str(form["fast"].as_widget(attrs={"class": "govuk-select", "aria-describedby": "hint"}))
    assert parse_html(fast.replace('name="fast"', 'name="plain"').replace("id_fast", "id_plain")) == parse_html(plain)


def test_list_select_escapes_labels_and_marks_the_chosen_option():
    html = str(Choosing({"fast": "1"})["fast"])
    assert "Ann &lt;Admin&gt; &amp; Co" in html
    assert '<option value="1" selected>' in html
    assert '<option value="2">' in html
