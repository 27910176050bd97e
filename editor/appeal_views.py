"""A suspended creator's appeal, sent from the dashboard to the admins' queue."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect

from pages import suspending
from pages.models import Page


class AppealForm(forms.Form):
    message = forms.CharField(
        label="Why should we look again?",
        max_length=suspending.APPEAL_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@login_required
def appeal(request):
    """POST: send the appeal; GET (a reload, a bookmark): the dashboard, where the form is."""
    page = Page.objects.filter(user=request.user).first()
    if page is None:
        raise Http404("No page")
    if request.method != "POST" or not suspending.is_appealable(page):
        return redirect("dashboard")
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a few words on why we should look again, then send.")
    elif suspending.open_appeal(page):
        messages.info(request, "Your appeal is already waiting for an admin.")
    else:
        suspending.appeal(page, form.cleaned_data["message"])
        messages.success(request, "Your appeal was sent. An admin will look at your page again.")
    return redirect("dashboard")
