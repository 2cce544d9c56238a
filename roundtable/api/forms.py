from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What is this token for?",
        max_length=100,
        help_text="For example, 'nightly export script'",
        error_messages={"required": "Say what the token is for"},
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(30, "30 days"), (90, "90 days"), (365, "1 year"), (0, "Never")],
        initial=90,
        widget=forms.RadioSelect,
    )
