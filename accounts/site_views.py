"""The creator's own pages: "Your data", export, delete.

What each app holds about the creator comes from the personal data registry
(accounts/personal_data.py), which every app fills in its AppConfig.ready().
"""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts import personal_data, wording
from accounts.deletion import delete_creator


@login_required
def your_data(request):
    context = {"refresh": wording.sync_description(), **personal_data.overview(request)}
    return render(request, "accounts/your_data.html", context)


@login_required
def export(request):
    data = personal_data.export(request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    filename = f"linkinbio-{request.user.username}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def delete_account(request):
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm that you want to delete your account.")
            return redirect("delete_account")
        user = request.user
        logout(request)
        notes = delete_creator(user)
        text = " ".join(["Your account, your page and all your data are deleted.", *notes])
        messages.success(request, text)
        return redirect("home")
    return render(request, "accounts/delete.html", personal_data.overview(request))
