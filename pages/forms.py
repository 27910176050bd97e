from django import forms

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


class AppearanceForm(forms.ModelForm):
    class Meta:
        model = Page
        fields = ["title_override", "bio_override", "theme", "button_style", "show_follower_count"]
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


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=AbuseReport.REASONS, widget=forms.RadioSelect)
    message = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    # Left empty by people; filled by bots that fill everything.
    website = forms.CharField(required=False, label="Leave this empty")
