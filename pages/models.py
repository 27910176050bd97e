from django.conf import settings
from django.db import models
from django.utils.text import slugify

RESERVED_SLUGS = frozenset(
    """
    about accounts admin api app dashboard data delete disconnect export healthz help l
    legal login logout media privacy report reports sandbox settings signin signout
    signup static support terms tiktok www
    """.split()
)


class PageQuerySet(models.QuerySet):
    def showcase(self):
        """Public pages the home page may link to, newest first."""
        return self.filter(is_showcased=True, is_suspended=False).order_by("-created")[:6]


class Page(models.Model):
    """A creator's public page at /@slug."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="page")
    slug = models.SlugField(max_length=40, unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    is_suspended = models.BooleanField(default=False)
    is_showcased = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    objects = PageQuerySet.as_manager()

    def __str__(self):
        return f"@{self.slug}"

    @staticmethod
    def is_reserved(slug):
        return slug.lower() in RESERVED_SLUGS

    @classmethod
    def unique_slug(cls, *candidates):
        """The first free, non-reserved slug built from the candidates."""
        base = ""
        for candidate in candidates:
            base = slugify(candidate or "").replace("-", "_")[:30]
            if base:
                break
        base = base or "creator"
        slug, n = base, 1
        while cls.is_reserved(slug) or cls.objects.filter(slug__iexact=slug).exists():
            n += 1
            slug = f"{base}{n}"
        return slug
