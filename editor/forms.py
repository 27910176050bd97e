import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from pages import colours, socials
from pages.models import MAX_VIDEOS_SHOWN, Link, Page, Video
from pages.safety.links import normalize_link_url, validate_link_url


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class LinkForm(forms.ModelForm):
    """A link or a section header. Start and end are typed in the creator's
    time zone (the one active while the form is read: editor/views.py)."""

    class Meta:
        model = Link
        fields = ["kind", "title", "url", "emoji", "enabled", "starts_at", "ends_at"]
        labels = {
            "kind": "This is",
            "url": "Address",
            "emoji": "Icon (optional emoji; leave empty to use the site's own icon)",
            "enabled": "Show this link",
            "starts_at": "Show from (optional)",
            "ends_at": "Hide after (optional)",
        }
        help_texts = {
            "url": "A web address, mailto:you@example.com or tel:+15551234567. "
            "Not needed for a section header."
        }
        widgets = {
            "kind": forms.RadioSelect,
            "url": forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
            "emoji": forms.TextInput(attrs={"maxlength": 16, "autocomplete": "off"}),
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
        }

    def __init__(self, *args, time_zone="UTC", **kwargs):
        # The zone is named beside the fields (templates), where the browser
        # may correct it; the view has read the times in it.
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False  # a plain link unless said otherwise

    def clean_kind(self):
        return self.cleaned_data.get("kind") or Link.LINK

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Give the link a title.")
        return title

    def clean_url(self):
        if self.cleaned_data.get("kind") == Link.HEADER:
            return ""
        url = normalize_link_url(self.cleaned_data["url"])
        if not url:
            raise forms.ValidationError("Give the link an address.")
        validate_link_url(url)
        return url

    def clean_emoji(self):
        return clean_emoji(self.cleaned_data["emoji"])

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end must come after the start.")
        return data


_JOINERS = "\u200d\ufe0f\u20e3"


def clean_emoji(value):
    """One emoji (with its skin tone, joiners and keycap), or ValidationError."""
    value = (value or "").strip()
    if not value:
        return ""
    refused = ValidationError("Choose one emoji, like 🛍️ or 🎵, or leave it empty.")
    if len(value) > 16:
        raise refused
    pictures, marks, after_joiner, flag_half = 0, 0, False, False
    for ch in value:
        kind = unicodedata.category(ch)
        if ch in _JOINERS or kind[0] == "M" or "\U0001f3fb" <= ch <= "\U0001f3ff":
            after_joiner = ch == "\u200d"
            marks += kind[0] == "M" and ch not in _JOINERS
            continue
        # Pictures are "other symbols" (So): not < = $ ^, not letters.
        if kind[0] in "LPZC" or kind in ("Sm", "Sc", "Sk") or (kind[0] == "N" and len(value) == 1):
            raise refused
        if "\U0001f1e6" <= ch <= "\U0001f1ff":  # two regional letters make one flag
            flag_half = not flag_half
            if not flag_half:
                continue
        if not after_joiner:
            pictures += 1
        after_joiner = False
    if pictures != 1 or marks > 1:
        raise refused
    return value


class VideoLinkForm(forms.ModelForm):
    """The link under a video; hiding and pinning are buttons of their own."""

    class Meta:
        model = Video
        fields = ["link_url", "link_title"]
        labels = {
            "link_url": "Link under the video (optional)",
            "link_title": "Link text",
        }
        widgets = {
            "link_url": forms.TextInput(attrs={"inputmode": "url"}),
            "link_title": forms.TextInput(attrs={"placeholder": "Shop this look"}),
        }

    def clean_link_url(self):
        url = normalize_link_url(self.cleaned_data["link_url"])
        if url:
            validate_link_url(url)
        return url


class VideosShownForm(forms.ModelForm):
    videos_shown = forms.IntegerField(
        min_value=0, max_value=MAX_VIDEOS_SHOWN, label="How many videos to show"
    )

    class Meta:
        model = Page
        fields = ["videos_shown"]


class ColourInput(forms.TextInput):
    input_type = "color"


class AppearanceForm(forms.ModelForm):
    """Title, bio, theme, buttons and the page's own colours.

    The colour pickers always send a value, so "Use my own colours" decides
    whether they are kept; kept colours must leave the theme's text readable
    (WCAG AA, pages/colours.py), or nothing is saved and the form says why.
    """

    custom_colours = forms.BooleanField(required=False, label="Use my own colours")
    # Any text reaches the colour check (its message says what is wanted), not a length error.
    background_color = forms.CharField(required=False, widget=ColourInput, label="Background")
    accent_color = forms.CharField(required=False, widget=ColourInput, label="Accent (buttons)")

    class Meta:
        model = Page
        fields = [
            "title_override",
            "bio_override",
            "theme",
            "button_style",
            "color_mode",
            "custom_colours",
            "background_color",
            "accent_color",
            "show_follower_count",
        ]
        labels = {
            "title_override": "Title (leave empty to use your TikTok name)",
            "bio_override": "Bio (leave empty to use your TikTok bio)",
            "show_follower_count": "Show my follower count",
        }
        widgets = {
            "bio_override": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
            "theme": forms.RadioSelect,
            "button_style": forms.RadioSelect,
            "color_mode": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance
        theme = colours.THEME_COLOURS.get(page.theme, colours.THEME_COLOURS["classic"])
        self.fields["color_mode"].required = False
        self.initial["custom_colours"] = bool(page.background_color or page.accent_color)
        # The pickers start from the colours the page shows now.
        self.initial["background_color"] = page.background_color or theme["bg"]
        self.initial["accent_color"] = page.accent_color or theme["accent"]

    def clean_color_mode(self):
        # A form without the choice (an older page's) keeps the page's.
        return self.cleaned_data.get("color_mode") or self.instance.color_mode or "auto"

    def _clean_colour(self, name):
        value = self.cleaned_data.get(name, "")
        colour = colours.normalize(value)
        if value and colour is None:
            raise forms.ValidationError("Pick a colour, or type it as #rrggbb.")
        return colour or ""

    def clean_background_color(self):
        return self._clean_colour("background_color")

    def clean_accent_color(self):
        return self._clean_colour("accent_color")

    def clean(self):
        data = super().clean()
        if not data.get("custom_colours"):
            data["background_color"] = data["accent_color"] = ""
            return data
        theme = data.get("theme")
        # Checked even when another field is refused: every reason is told at once.
        if theme in colours.THEME_COLOURS:
            background, accent = data.get("background_color"), data.get("accent_color")
            for field, message in colours.problems(theme, background, accent).items():
                self.add_error(field, message)
        return data


class SocialsForm(forms.Form):
    """The creator's accounts on other networks, one field per network."""

    def __init__(self, *args, page, **kwargs):
        self.page = page
        initial = {key: value for key, value in page.socials.items() if key in socials.BY_KEY}
        super().__init__(*args, initial=initial, **kwargs)
        for network in socials.NETWORKS:
            self.fields[network.key] = forms.CharField(
                label=network.name,
                required=False,
                max_length=200,
                widget=forms.TextInput(
                    attrs={
                        "placeholder": network.example,
                        "autocomplete": "email" if network.key == "email" else "off",
                        "inputmode": "email" if network.key == "email" else "text",
                    }
                ),
            )

    def clean(self):
        data = super().clean()
        for network in socials.NETWORKS:
            if network.key in data:
                try:
                    data[network.key] = socials.clean_handle(network, data[network.key])
                except ValidationError as exc:
                    self.add_error(network.key, exc)
        return data

    def save(self):
        self.page.socials = {key: value for key, value in self.cleaned_data.items() if value}
        self.page.save(update_fields=["socials"])
