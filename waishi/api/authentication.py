from rest_framework.authentication import SessionAuthentication


class TokenAuthentication(SessionAuthentication):
    """Placeholder: replaced by the personal API token authentication."""

    def authenticate(self, request):
        return None


VerifiedSessionAuthentication = SessionAuthentication
