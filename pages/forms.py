from django import forms

from pages import colours
from pages.links import normalize_link_url, validate_link_url
from pages.models import MAX_VIDEOS_SHOWN, AbuseReport, Link, Page, Video


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class LinkForm(forms.ModelForm):
    class Meta:
        model = Link
        fields = ["title", "url", "enabled", "starts_at", "ends_at"]
        labels = {
            "url": "Address",
            "enabled": "Show this link",
            "starts_at": "Show from (UTC, optional)",
            "ends_at": "Hide after (UTC, optional)",
        }
        help_texts = {"url": "A web address, mailto:you@example.com or tel:+15551234567."}
        widgets = {
            "url": forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
        }

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Give the link a title.")
        return title

    def clean_url(self):
        url = normalize_link_url(self.cleaned_data["url"])
        validate_link_url(url)
        return url

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end must come after the start.")
        return data


class VideoForm(forms.ModelForm):
    class Meta:
        model = Video
        fields = ["hidden", "pinned", "link_url", "link_title"]
        labels = {
            "hidden": "Hide from my page",
            "pinned": "Pin to the top",
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
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance
        theme = colours.THEME_COLOURS.get(page.theme, colours.THEME_COLOURS["classic"])
        self.initial["custom_colours"] = bool(page.background_color or page.accent_color)
        # The pickers start from the colours the page shows now.
        self.initial["background_color"] = page.background_color or theme["bg"]
        self.initial["accent_color"] = page.accent_color or theme["accent"]

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


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=AbuseReport.REASONS, widget=forms.RadioSelect)
    message = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    # Left empty by people; filled by bots that fill everything.
    website = forms.CharField(required=False, label="Leave this empty")
