"""The creator's page address: the one their TikTok username gives, in one
click, or one they pick (pages/addresses.py says what is allowed)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from pages import addresses
from pages.former_addresses import KEPT_FOR
from pages.models import Page


class AddressForm(forms.Form):
    slug = forms.CharField(
        label="Your page's address",
        max_length=30,
        help_text="2 to 30 lower-case letters, digits or underscores.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, page, **kwargs):
        self.page = page
        super().__init__(*args, **kwargs)

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip().lstrip("@").lower()
        problem = addresses.problem(self.page, slug)
        if problem:
            raise forms.ValidationError(problem)
        return slug


@login_required
def page_address(request):
    """GET: the address, its former ones and the one TikTok's username
    offers; POST: move the page (from this screen or the dashboard's offer)."""
    page = Page.objects.filter(user=request.user).first()
    if page is None:
        raise Http404("No page")
    if request.method == "POST":
        form = AddressForm(request.POST, page=page)
        try:
            old = form.is_valid() and addresses.move(page, form.cleaned_data["slug"])
        except addresses.Refused as refused:
            form.add_error("slug", str(refused))
            old = None
        if old:
            messages.success(
                request,
                f"Your page is now at /@{page.slug}. Its old address /@{old} leads there "
                f"for {KEPT_FOR.days} days.",
            )
            return redirect(
                "dashboard" if request.POST.get("back") == "dashboard" else "page_address"
            )
        status = 400
    else:
        form = AddressForm(page=page, initial={"slug": page.slug})
        status = 200
    context = {
        "page": page,
        "form": form,
        "forms_with_errors": [form] if form.errors else [],
        "offer": addresses.offered(page),
        "former": page.former_addresses.kept(),
        "next_move": addresses.next_move_at(page),
        "moves_allowed": addresses.MOVES_ALLOWED,
        "moves_days": addresses.MOVES_WINDOW.days,
    }
    return render(request, "pages/address.html", context, status=status)
