"""The one form a visitor fills in: reporting a page."""

from django import forms

from pages.models import AbuseReport


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=AbuseReport.REASONS, widget=forms.RadioSelect)
    message = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    # Left empty by people; filled by bots that fill everything.
    website = forms.CharField(required=False, label="Leave this empty")
