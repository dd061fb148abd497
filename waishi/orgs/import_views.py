"""Excel import of people (placeholder until the importer lands in this module)."""

from django.http import Http404


def people_import(request):
    raise Http404


def people_import_template(request):
    raise Http404
