"""Deadlines checked on every request, and the security headers Django does not set."""

from .rounds import lock_expired


class LockExpiredSteps:
    """Lock the steps whose deadline passed before the request is answered (a scheduler
    also runs ``manage.py lock_deadlines``), so a form is never accepted after its deadline
    even when nobody ran the command."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lock_expired()
        return self.get_response(request)


class SecurityHeaders:
    """A content security policy: no script, style or frame from anywhere but this site
    (pages carry no inline script); evidence PDFs are framed from this site only."""

    POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
              "object-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

