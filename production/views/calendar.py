"""Stub: being written."""

def project_calendar(request, code):
    raise NotImplementedError


def my_calendar(request):
    raise NotImplementedError


def feed_token(request):
    raise NotImplementedError


def feed(request, token):
    raise NotImplementedError
