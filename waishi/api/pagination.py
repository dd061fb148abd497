"""The API's pages: ``?page=`` is a whole number from 1 to the last page (1 when there is
nothing to list); anything else -- not a number, 0, negative, past the end -- is refused
as invalid (400 naming ``page``), like every other parameter, instead of DRF's 404."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_PAGE):
            raise exceptions.ValidationError(
                {
                    self.page_query_param: [
                        _("Give a page number from 1 to %(max)d.") % {"max": MAX_PAGE}
                    ]
                }
            )
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            raise exceptions.ValidationError(
                {self.page_query_param: [_("There is no such page.")]}
            ) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": MAX_PAGE})
        return parameters
