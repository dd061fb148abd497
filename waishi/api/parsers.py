"""Every request body the API parses passes through ``lib.forms.clean_values``: a name
holding a Unicode format character is refused with the one error shape, free text loses
them (security.md I8). ``JsonOnly.get_parsers`` wraps whatever parsers a view chose."""

from __future__ import annotations

from django.http import QueryDict
from rest_framework.parsers import BaseParser, DataAndFiles

from waishi.lib.forms import clean_values


def _clean(data):
    if isinstance(data, QueryDict):
        cleaned = data.copy()
        for key in cleaned:
            cleaned.setlist(key, clean_values(cleaned.getlist(key), field=key))
        return cleaned
    return clean_values(data)


class CleanTextParser(BaseParser):
    """``parser``'s result, cleaned."""

    def __init__(self, parser: BaseParser):
        self.parser = parser
        self.media_type = parser.media_type

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = self.parser.parse(stream, media_type, parser_context)
        if isinstance(parsed, DataAndFiles):
            return DataAndFiles(_clean(parsed.data), parsed.files)
        return _clean(parsed)
