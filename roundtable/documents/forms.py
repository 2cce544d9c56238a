from django import forms

from roundtable.documents.sniffing import KINDS
from roundtable.documents.uploads import describe_size, max_bytes

ACCEPT = ",".join(sorted({f".{ext}" for kind in KINDS for ext in kind.extensions}))


class RestrictionFields(forms.Form):
    restrict = forms.BooleanField(
        label="Only named people on this case may see this document",
        required=False,
        help_text="Everyone else on the case will see that a restricted document exists, when it was added, "
        "and who to ask — but not its title or content.",
    )
    restricted_to = forms.TypedMultipleChoiceField(
        label="Who may see it (as well as you)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["restricted_to"].choices = members

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("restrict") and not cleaned.get("restricted_to"):
            self.add_error("restricted_to", "Choose at least one person who may see this document.")
        return cleaned


class UploadForm(RestrictionFields):
    # Fields in the order the browser sends them: the file last, so if it is refused for
    # its size the other answers have already arrived and are shown again.
    title = forms.CharField(
        label="Title (optional)",
        max_length=200,
        required=False,
        help_text="For example, 'Home visit photos' or 'Panel minutes, March'. Leave blank to use the file name.",
    )
    entry = forms.TypedChoiceField(label="Attach to a chronology entry (optional)", coerce=int, required=False,
                                   empty_value=None)  # fmt: skip
    file = forms.FileField(label="Choose a file", allow_empty_file=True)

    field_order = ["title", "entry", "restrict", "restricted_to", "file"]

    def __init__(self, *args, entries: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", "Not attached to an entry")] + entries
        self.fields["file"].help_text = (
            f"PDF, Word, Excel, PowerPoint, OpenDocument, photos (JPEG, PNG, GIF, WebP, HEIC), recordings "
            f"(MP3, M4A, WAV, Ogg) or MP4 video, up to {describe_size(max_bytes())}."
        )
        self.fields["file"].widget.attrs["accept"] = ACCEPT
        self.fields["file"].error_messages["required"] = "Choose a file to upload."
