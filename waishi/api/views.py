"""The API endpoints: one view per operation, thin. Every read starts in scoping."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, generics
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.api import serializers as s
from waishi.api.fields import MAX_ID, check_path
from waishi.api.pagination import Pages
from waishi.api.parsers import CleanTextParser
from waishi.api.permissions import BusinessRole
from waishi.orgs import scoping, selectors
from waishi.orgs.models import District, Person, Unit


class JsonOnly:
    """The base of every API view: JSON out, the API's pages, and the path's integers
    checked against their bounds (``fields.check_path``) before the view reads a row."""

    # JSON only: the browsable API would need inline scripts that our CSP refuses,
    # and Swagger UI at /api/docs/ already lets a person try the API.
    renderer_classes = [JSONRenderer]

    def get_parsers(self):
        # Names refuse, free text loses, Unicode format characters (api/parsers.py).
        return [CleanTextParser(parser) for parser in super().get_parsers()]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A paginated (generic) view pages as the API does; a plain APIView has no pages,
        # and must not have a paginator, or the schema would describe its list as pages.
        if issubclass(cls, GenericAPIView) and "pagination_class" not in cls.__dict__:
            cls.pagination_class = Pages

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_path(kwargs)


def _responses(ok, *errors: int) -> dict:
    """The success shape plus the error shape for each status the operation can give."""
    return {200: ok, **{code: s.ErrorOutput for code in (401, 429, *errors)}}


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class MeView(JsonOnly, APIView):
    """The account the token (or session) belongs to."""

    @extend_schema(responses=_responses(s.MeOutput), summary="The calling account")
    def get(self, request):
        return Response(s.MeOutput(request.user).data)


class DistrictListView(JsonOnly, generics.ListAPIView):
    """Every district (reference data)."""

    serializer_class = s.DistrictOutput
    queryset = District.objects.none()  # for the schema; rows come from get_queryset

    @extend_schema(responses=_responses(s.DistrictOutput(many=True), 404), summary="Districts")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return scoping.visible(self.request.user, District)


class UnitListView(JsonOnly, generics.ListAPIView):
    """Units (reference data), with the number of their people the caller may see."""

    serializer_class = s.UnitOutput
    queryset = Unit.objects.none()

    @extend_schema(
        parameters=[s.UnitQuery],
        responses=_responses(s.UnitOutput(many=True), 400, 404),
        summary="Units",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.unit_search(self.request.user, **_query(s.UnitQuery, self.request))


class UnitDetailView(JsonOnly, generics.RetrieveAPIView):
    """One unit."""

    serializer_class = s.UnitOutput
    queryset = Unit.objects.none()

    @extend_schema(responses=_responses(s.UnitOutput, 404), summary="One unit")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        user = self.request.user
        return scoping.get_for_user(user, selectors.unit_search(user), self.kwargs["unit_pk"])


class PersonListView(JsonOnly, generics.ListAPIView):
    """People the caller may see: their own unit's, or every unit's for city-wide roles.
    ID numbers are masked."""

    permission_classes = [IsAuthenticated, BusinessRole]
    serializer_class = s.PersonOutput
    queryset = Person.objects.none()

    @extend_schema(
        parameters=[s.PersonQuery],
        responses=_responses(s.PersonOutput(many=True), 400, 403, 404),
        summary="People",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = _query(s.PersonQuery, self.request)
        return selectors.person_search(self.request.user, q=query["q"], unit_id=query["unit"])


class PersonDetailView(JsonOnly, generics.RetrieveAPIView):
    """One person; a person of a unit the caller may not see is not found."""

    permission_classes = [IsAuthenticated, BusinessRole]
    serializer_class = s.PersonDetailOutput
    queryset = Person.objects.none()

    @extend_schema(responses=_responses(s.PersonDetailOutput, 403, 404), summary="One person")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        people = Person.objects.select_related("unit")
        return scoping.get_for_user(self.request.user, people, self.kwargs["person_pk"])


class SchemaView(SpectacularAPIView):
    """The OpenAPI document (YAML, or JSON with ?format=json), for signed-in callers."""

    permission_classes = [IsAuthenticated]
    # Every <int:...> of the API's paths is an id, bounded as fields.check_path keeps it.
    custom_settings = {
        "PATH_CONVERTER_OVERRIDES": {"int": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "waishi.api.schema.parameters_may_be_refused",
        ],
    }

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # An error is the API's JSON error shape, not a YAML "schema".
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


@extend_schema(exclude=True)
class NotFoundView(JsonOnly, APIView):
    """Any other /api/v1/ path: the API's 404 shape rather than the HTML error page."""

    def _not_found(self, request, *args, **kwargs):
        raise exceptions.NotFound()

    get = post = put = patch = delete = _not_found
